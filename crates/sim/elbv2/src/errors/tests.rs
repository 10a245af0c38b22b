use super::*;

#[test]
fn error_document_shape() {
    let xml = ApiError::target_group_not_found().to_xml("req-1");
    assert_eq!(
        xml,
        "<ErrorResponse xmlns=\"http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/\">\
             <Error><Type>Sender</Type><Code>TargetGroupNotFound</Code>\
             <Message>One or more target groups not found</Message></Error>\
             <RequestId>req-1</RequestId></ErrorResponse>"
    );
    assert_eq!(
        ApiError::new(503, "ServiceUnavailable", "x").fault_type(),
        "Receiver"
    );
}
