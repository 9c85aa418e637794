//! Workspace-level end-to-end tests and load benchmarks
