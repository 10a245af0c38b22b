//! The built-in kinds' column definitions, as kube-apiserver's printers declare them
//! (`pkg/printers/internalversion/printers.go`: names, types, priorities; the descriptions are
//! ours). Priority-1 columns are the ones kubectl shows only with `-o wide`.

use super::Column;

const NAME_DOC: &str = "The object's name, unique within its namespace.";
const AGE_DOC: &str = "Time since the object was created (its creationTimestamp).";
const CONTAINERS_DOC: &str = "Names of each container in the template.";
const IMAGES_DOC: &str = "Images referenced by each container in the template.";

fn name_column() -> Column {
    Column::new("Name", "string", 0, NAME_DOC).format("name")
}

fn age_column() -> Column {
    Column::new("Age", "string", 0, AGE_DOC)
}

/// The columns of a built-in kind kube-apiserver has a printer for.
pub(super) fn columns(kind: &str) -> Option<Vec<Column>> {
    let columns = match kind {
        "Pod" => vec![
            name_column(),
            Column::new(
                "Ready",
                "string",
                0,
                "Ready containers out of all containers.",
            ),
            Column::new(
                "Status",
                "string",
                0,
                "The phase, or the reason that best explains the pod's state.",
            ),
            Column::new(
                "Restarts",
                "string",
                0,
                "Container restarts, and how long ago the last one was.",
            ),
            age_column(),
            Column::new("IP", "string", 1, "The pod's primary IP address."),
            Column::new("Node", "string", 1, "The node the pod is scheduled to."),
            Column::new(
                "Nominated Node",
                "string",
                1,
                "The node the scheduler nominated for preemption.",
            ),
            Column::new(
                "Readiness Gates",
                "string",
                1,
                "Readiness gates whose condition is True, out of all gates.",
            ),
        ],
        "Service" => vec![
            name_column(),
            Column::new("Type", "string", 0, "How the service is exposed."),
            Column::new("Cluster-IP", "string", 0, "The service's cluster IP."),
            Column::new(
                "External-IP",
                "string",
                0,
                "External addresses of the service.",
            ),
            Column::new("Port(s)", "string", 0, "The ports the service exposes."),
            age_column(),
            Column::new(
                "Selector",
                "string",
                1,
                "The labels of the pods the service routes to.",
            ),
        ],
        "Deployment" => vec![
            name_column(),
            Column::new("Ready", "string", 0, "Ready pods out of the desired count."),
            Column::new(
                "Up-to-date",
                "string",
                0,
                "Pods running the newest template.",
            ),
            Column::new(
                "Available",
                "string",
                0,
                "Pods available for at least minReadySeconds.",
            ),
            age_column(),
            Column::new("Containers", "string", 1, CONTAINERS_DOC),
            Column::new("Images", "string", 1, IMAGES_DOC),
            Column::new("Selector", "string", 1, "The label selector of the pods."),
        ],
        "ReplicaSet" => vec![
            name_column(),
            Column::new("Desired", "integer", 0, "The number of pods wanted."),
            Column::new("Current", "integer", 0, "The number of pods that exist."),
            Column::new("Ready", "integer", 0, "The number of ready pods."),
            age_column(),
            Column::new("Containers", "string", 1, CONTAINERS_DOC),
            Column::new("Images", "string", 1, IMAGES_DOC),
            Column::new("Selector", "string", 1, "The label selector of the pods."),
        ],
        "Node" => vec![
            name_column(),
            Column::new(
                "Status",
                "string",
                0,
                "Whether the node is Ready, and schedulable.",
            ),
            Column::new("Roles", "string", 0, "The node-role labels of the node."),
            age_column(),
            Column::new("Version", "string", 0, "The kubelet version."),
            Column::new("Internal-IP", "string", 1, "The node's internal address."),
            Column::new("External-IP", "string", 1, "The node's external address."),
            Column::new(
                "OS-Image",
                "string",
                1,
                "The node's operating system image.",
            ),
            Column::new("Kernel-Version", "string", 1, "The node's kernel version."),
            Column::new(
                "Container-Runtime",
                "string",
                1,
                "The node's container runtime version.",
            ),
        ],
        "Namespace" => vec![
            name_column(),
            Column::new("Status", "string", 0, "The namespace's phase."),
            age_column(),
        ],
        "EndpointSlice" => vec![
            name_column(),
            Column::new("AddressType", "string", 0, "The type of the addresses."),
            Column::new("Ports", "string", 0, "The ports of the endpoints."),
            Column::new("Endpoints", "string", 0, "The endpoints' addresses."),
            age_column(),
        ],
        "Ingress" => vec![
            name_column(),
            Column::new("Class", "string", 0, "The IngressClass of the ingress."),
            Column::new("Hosts", "string", 0, "The hosts the rules match."),
            Column::new("Address", "string", 0, "The load balancer addresses."),
            Column::new("Ports", "string", 0, "The ports the ingress serves."),
            age_column(),
        ],
        "IngressClass" => vec![
            name_column(),
            Column::new(
                "Controller",
                "string",
                0,
                "The controller that implements the class.",
            ),
            Column::new(
                "Parameters",
                "string",
                0,
                "The resource holding the class parameters.",
            ),
            age_column(),
        ],
        "Lease" => vec![
            name_column(),
            Column::new("Holder", "string", 0, "The identity of the lease holder."),
            age_column(),
        ],
        "Event" => vec![
            Column::new(
                "Last Seen",
                "string",
                0,
                "When the event was last observed.",
            ),
            Column::new("Type", "string", 0, "The event's type (Normal, Warning)."),
            Column::new("Reason", "string", 0, "Why the event happened."),
            Column::new("Object", "string", 0, "The object the event is about."),
            Column::new(
                "Subobject",
                "string",
                1,
                "The part of the object the event is about.",
            ),
            Column::new(
                "Source",
                "string",
                1,
                "The component that reported the event.",
            ),
            Column::new("Message", "string", 0, "What happened."),
            Column::new(
                "First Seen",
                "string",
                1,
                "When the event was first observed.",
            ),
            Column::new("Count", "string", 1, "How many times the event happened."),
            Column::new("Name", "string", 1, NAME_DOC).format("name"),
        ],
        "MutatingWebhookConfiguration" | "ValidatingWebhookConfiguration" => vec![
            name_column(),
            Column::new(
                "Webhooks",
                "integer",
                0,
                "How many webhooks the configuration holds.",
            ),
            age_column(),
        ],
        _ => return None,
    };
    Some(columns)
}
