use super::*;

fn arns(name: &str) -> Option<String> {
    (name == "web").then(|| "arn:aws:elasticloadbalancing:tg/web/1".to_owned())
}

#[test]
fn placeholders_become_arns() {
    let text = "a: ${targetGroupArn:web}\nb: x${targetGroupArn: web }y\n";
    let out = substitute(text, arns).unwrap();
    assert_eq!(
        out,
        "a: arn:aws:elasticloadbalancing:tg/web/1\nb: xarn:aws:elasticloadbalancing:tg/web/1y\n"
    );
}

#[test]
fn unknown_or_unterminated_placeholders_fail() {
    assert!(substitute("${targetGroupArn:api}", arns).is_err());
    assert!(substitute("${targetGroupArn:web", arns).is_err());
    assert_eq!(substitute("plain", arns).unwrap(), "plain");
}

#[test]
fn documents_are_split_and_empty_ones_skipped() {
    let text = "kind: A\n---\n---\nkind: B\nspec:\n  replicas: 3\n";
    let docs = parse_documents(text).unwrap();
    assert_eq!(docs.len(), 2);
    assert_eq!(docs[1]["spec"]["replicas"], 3);
}
