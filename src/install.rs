//! Writing and removing the hook shims (being written).
