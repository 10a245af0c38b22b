use super::*;

#[test]
fn first_difference_reports_the_first_differing_line() {
    assert_eq!(first_difference("a\nb\n", "a\nb\n"), None);
    let diff = first_difference("a\nb\nc\n", "a\nx\nc\ny\n").unwrap();
    assert_eq!(diff.line, 2);
    assert_eq!(diff.expected.as_deref(), Some("b"));
    assert_eq!(diff.actual.as_deref(), Some("x"));
    assert_eq!(diff.differing_lines, 2);
    let trailing = first_difference("a\n", "a").unwrap();
    assert_eq!(trailing.line, 1);
    assert_eq!(trailing.differing_lines, 1);
    let truncated = first_difference("a\nb\n", "a\n").unwrap();
    assert_eq!((truncated.line, truncated.actual), (2, None));
}
