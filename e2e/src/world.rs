//! A simulated world with the real controller running against it.
