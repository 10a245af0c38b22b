use super::truncate;

#[test]
fn notes_are_cut_on_a_character_boundary() {
    assert_eq!(truncate("abc".to_owned(), 10), "abc");
    assert_eq!(truncate("abcdef".to_owned(), 4), "abcd");
    // "é" is two bytes: a cut in its middle moves before it.
    assert_eq!(truncate("aé".to_owned(), 2), "a");
}
