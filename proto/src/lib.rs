//! The Hold Hunter gRPC contract, package `holdhunter.v1`, generated from
//! `proto/holdhunter/v1/*.proto` by `tonic-prost-build`.
//!
//! Servers implement the generated `*_server` traits; clients use the `*_client` types.
//! [`FILE_DESCRIPTOR_SET`] feeds gRPC server reflection.

/// Generated messages, enums, clients and servers of `holdhunter.v1`.
pub mod v1 {
    #![allow(missing_docs, clippy::all, clippy::pedantic)]
    tonic::include_proto!("holdhunter.v1");
}

/// Encoded `google.protobuf.FileDescriptorSet` of every `holdhunter.v1` file, for
/// `tonic_reflection`.
pub const FILE_DESCRIPTOR_SET: &[u8] =
    tonic::include_file_descriptor_set!("holdhunter_v1_descriptor");

/// gRPC metadata key carrying the machine-readable error reason (an `ErrorReason` name without
/// its `ERROR_REASON_` prefix, e.g. `LINES_UNAVAILABLE`).
pub const ERROR_REASON_METADATA_KEY: &str = "hh-error-reason";

/// `google.rpc.ErrorInfo.domain` used by every Hold Hunter error.
pub const ERROR_DOMAIN: &str = "holdhunter.v1";
