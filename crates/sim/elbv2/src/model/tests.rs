//! Unit tests of the model on explicit simulated instants: the target lifecycle, and validation
//! with AWS's error wording.

mod lifecycle;
mod test_world;
mod validation;
