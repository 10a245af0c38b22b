use super::*;

#[test]
fn every_operation_is_listed_once() {
    let mut names: Vec<&str> = OPERATIONS.iter().map(|(name, _)| *name).collect();
    let total = names.len();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), total);
    assert!(is_known("DescribeTargetHealth"));
    assert!(!is_known("DescribeNothing"));
}
