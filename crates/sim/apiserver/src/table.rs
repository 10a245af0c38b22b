//! Server-side `Table` rendering (`Accept: application/json;as=Table;v=v1;g=meta.k8s.io`), which
//! kubectl uses for `get`: the built-in kinds' columns as kube-apiserver prints them (for pods:
//! NAME, READY, STATUS, RESTARTS, AGE, IP, NODE, NOMINATED NODE, READINESS GATES) and a CRD's
//! `additionalPrinterColumns` through JSONPath.
//!
//! Kinds without a kube-apiserver printer (CustomResourceDefinition among them) get its default
//! table: `Name` and `Created At` (type `date`, an RFC 3339 timestamp). A custom resource gets
//! `Name` plus its printer columns, or `Age` (`.metadata.creationTimestamp`, type `date`) when its
//! CRD declares none, as the apiextensions server does; a missing value is a `null` cell, which
//! kubectl shows as `<none>`.

mod age;
mod builtin;
mod cells;
mod columns;
mod jsonpath;
mod pod;
#[cfg(test)]
mod tests;

use std::time::SystemTime;

use serde_json::{Map, Value, json};

use cells::{Row, at, name};
use jsonpath::JsonPath;

/// A column as a CRD declares it in `additionalPrinterColumns`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrinterColumn {
    pub name: String,
    pub type_: String,
    pub format: Option<String>,
    pub description: Option<String>,
    pub priority: i32,
    pub json_path: String,
}

/// How much of each object the table rows carry (`includeObject=None|Metadata|Object`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum IncludeObject {
    None,
    #[default]
    Metadata,
    Object,
}

/// A `columnDefinitions` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Column {
    name: String,
    type_: String,
    format: String,
    description: String,
    priority: i32,
}

impl Column {
    fn new(name: &str, type_: &str, priority: i32, description: &str) -> Self {
        Self {
            name: name.to_owned(),
            type_: type_.to_owned(),
            format: String::new(),
            description: description.to_owned(),
            priority,
        }
    }

    fn format(mut self, format: &str) -> Self {
        self.format = format.to_owned();
        self
    }

    fn to_json(&self) -> Value {
        json!({
            "name": self.name,
            "type": self.type_,
            "format": self.format,
            "description": self.description,
            "priority": self.priority,
        })
    }
}

/// Renders `objects` (all of one kind) as a `meta.k8s.io/v1` `Table`. `custom_columns` is `Some`
/// for custom resources (their CRD's printer columns), `None` for built-in kinds. Ages are
/// measured from the wall clock; see [`render_table_at`].
pub fn render_table(
    kind: &str,
    objects: &[Value],
    custom_columns: Option<&[PrinterColumn]>,
    options: TableOptions<'_>,
) -> Value {
    render_table_at(kind, objects, custom_columns, options, SystemTime::now())
}

/// What a `Table` answer says besides its rows: how much of each object it embeds, and the
/// list's resourceVersion.
#[derive(Clone, Copy, Debug)]
pub struct TableOptions<'a> {
    pub include: IncludeObject,
    pub list_resource_version: &'a str,
}

/// [`render_table`] with ages measured at `now`.
pub fn render_table_at(
    kind: &str,
    objects: &[Value],
    custom_columns: Option<&[PrinterColumn]>,
    options: TableOptions<'_>,
    now: SystemTime,
) -> Value {
    let TableOptions {
        include,
        list_resource_version,
    } = options;
    let now = age::unix_seconds(now);
    let (columns, rows): (Vec<Column>, Vec<Row>) = match custom_columns {
        Some(printer_columns) => custom_table(printer_columns, objects, now),
        None => match builtin::printer(kind) {
            Some((columns, print)) => (columns, objects.iter().map(|o| print(o, now)).collect()),
            None => default_table(objects),
        },
    };
    let rows: Vec<Value> = rows
        .into_iter()
        .zip(objects)
        .map(|(row, object)| {
            let mut out = Map::new();
            out.insert("cells".to_owned(), Value::Array(row.cells));
            if let Some(conditions) = row.conditions {
                out.insert("conditions".to_owned(), conditions);
            }
            if let Some(embedded) = embedded_object(object, include) {
                out.insert("object".to_owned(), embedded);
            }
            Value::Object(out)
        })
        .collect();
    json!({
        "kind": "Table",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": {"resourceVersion": list_resource_version},
        "columnDefinitions": columns.iter().map(Column::to_json).collect::<Vec<_>>(),
        "rows": rows,
    })
}

fn embedded_object(object: &Value, include: IncludeObject) -> Option<Value> {
    match include {
        IncludeObject::None => None,
        IncludeObject::Object => Some(object.clone()),
        IncludeObject::Metadata => Some(json!({
            "kind": "PartialObjectMetadata",
            "apiVersion": "meta.k8s.io/v1",
            "metadata": at(object, "metadata").cloned().unwrap_or_else(|| json!({})),
        })),
    }
}

const NAME_DOC: &str = "The object's name, unique within its namespace.";
const CREATED_DOC: &str = "When the object was created (its creationTimestamp).";

/// kube-apiserver's default table convertor, for kinds without a printer.
fn default_table(objects: &[Value]) -> (Vec<Column>, Vec<Row>) {
    let columns = vec![
        Column::new("Name", "string", 0, NAME_DOC).format("name"),
        Column::new("Created At", "date", 0, CREATED_DOC),
    ];
    let rows = objects
        .iter()
        .map(|object| {
            let created = at(object, "metadata.creationTimestamp")
                .and_then(Value::as_str)
                .and_then(age::parse_rfc3339)
                .map(lbgate_sim_clock::utc_seconds_timestamp)
                .unwrap_or_else(|| "0001-01-01T00:00:00Z".to_owned());
            vec![name(object), json!(created)].into()
        })
        .collect();
    (columns, rows)
}

/// The apiextensions table convertor: `Name` then the CRD's printer columns.
fn custom_table(
    printer_columns: &[PrinterColumn],
    objects: &[Value],
    now: i64,
) -> (Vec<Column>, Vec<Row>) {
    let default_age = [PrinterColumn {
        name: "Age".to_owned(),
        type_: "date".to_owned(),
        format: None,
        description: Some(CREATED_DOC.to_owned()),
        priority: 0,
        json_path: ".metadata.creationTimestamp".to_owned(),
    }];
    let printer_columns = if printer_columns.is_empty() {
        &default_age[..]
    } else {
        printer_columns
    };
    let mut columns = vec![Column::new("Name", "string", 0, NAME_DOC).format("name")];
    columns.extend(printer_columns.iter().map(|column| {
        Column {
            name: column.name.clone(),
            type_: column.type_.clone(),
            format: column.format.clone().unwrap_or_default(),
            description: column
                .description
                .clone()
                .unwrap_or_else(|| format!("The value at {}.", column.json_path)),
            priority: column.priority,
        }
    }));
    let paths: Vec<Option<JsonPath>> = printer_columns
        .iter()
        .map(|column| JsonPath::parse(&column.json_path))
        .collect();
    let rows = objects
        .iter()
        .map(|object| {
            let mut cells = vec![name(object)];
            for (column, path) in printer_columns.iter().zip(&paths) {
                let value = path.as_ref().and_then(|p| p.first(object));
                cells.push(custom_cell(&column.type_, value, now));
            }
            cells.into()
        })
        .collect();
    (columns, rows)
}

/// One cell of a printer column, typed as the apiextensions convertor types it.
fn custom_cell(type_: &str, value: Option<&Value>, now: i64) -> Value {
    let Some(value) = value.filter(|v| !v.is_null()) else {
        return Value::Null;
    };
    match (type_, value) {
        ("string", value) => json!(go_text(value)),
        ("integer", Value::Number(n)) => n
            .as_i64()
            .or_else(|| n.as_f64().map(|f| f.trunc() as i64))
            .map_or(Value::Null, |i| json!(i)),
        ("number", Value::Number(n)) => n.as_f64().map_or(Value::Null, |f| json!(f)),
        ("boolean", Value::Bool(b)) => json!(b),
        ("date", Value::String(text)) => match age::parse_rfc3339(text) {
            Some(_) => json!(age::age(Some(text), now)),
            None => json!("<invalid>"),
        },
        _ => Value::Null,
    }
}

/// A value as Go's `fmt.Print` shows what the JSONPath printer found.
fn go_text(value: &Value) -> String {
    match value {
        Value::Null => "<nil>".to_owned(),
        Value::String(text) => text.clone(),
        Value::Bool(_) | Value::Number(_) => value.to_string(),
        Value::Array(items) => format!(
            "[{}]",
            items.iter().map(go_text).collect::<Vec<_>>().join(" ")
        ),
        Value::Object(map) => format!(
            "map[{}]",
            map.iter()
                .map(|(k, v)| format!("{k}:{}", go_text(v)))
                .collect::<Vec<_>>()
                .join(" ")
        ),
    }
}
