use super::review::{ResultStatus, Verdict};
use super::*;

fn deny(code: Option<i64>, reason: Option<&str>, message: Option<&str>) -> AdmissionRejection {
    let verdict = Verdict {
        status: Some(ResultStatus {
            code,
            reason: reason.map(str::to_owned),
            message: message.map(str::to_owned),
        }),
        ..Verdict::default()
    };
    denial("h", &verdict)
}

#[test]
fn denials_keep_error_codes_and_explain_themselves() {
    assert_eq!(deny(Some(200), None, Some("no")).code, 400);
    assert_eq!(deny(None, None, None).code, 400);
    let conflict = deny(Some(409), Some("Conflict"), None);
    assert_eq!(conflict.code, 409);
    assert_eq!(conflict.reason, "Conflict");
    assert_eq!(
        conflict.message,
        "admission webhook \"h\" denied the request: Conflict"
    );
    assert_eq!(
        deny(Some(422), Some("Invalid"), Some("bad field")).message,
        "admission webhook \"h\" denied the request: bad field"
    );
}
