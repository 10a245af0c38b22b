use super::*;

#[test]
fn escapes_and_nests() {
    let mut xml = Xml::new();
    xml.element("Tag", |x| {
        x.leaf("Key", "a&b<c>").opt_leaf("Value", None);
    });
    xml.members("Names", ["x", "y"], |x, name| {
        x.leaf("Name", name);
    });
    assert_eq!(
        xml.finish(),
        "<Tag><Key>a&amp;b&lt;c&gt;</Key></Tag><Names><member><Name>x</Name></member>\
             <member><Name>y</Name></member></Names>"
    );
}

#[test]
fn envelope() {
    let body = response("RegisterTargets", "", "r-1");
    assert!(body.starts_with(
            "<RegisterTargetsResponse xmlns=\"http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/\">\
             <RegisterTargetsResult></RegisterTargetsResult>"
        ));
    assert!(
        body.ends_with("<RequestId>r-1</RequestId></ResponseMetadata></RegisterTargetsResponse>")
    );
}
