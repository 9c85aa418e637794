//! hh: the Hold Hunter command-line client
