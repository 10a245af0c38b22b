//! placeholder while the workspace builds
