//! Compiles `holdhunter/v1/*.proto` with a vendored `protoc` (no system protoc needed) and
//! writes a file descriptor set for gRPC server reflection.

use std::path::PathBuf;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let manifest_dir = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR")?);
    let proto_dir = manifest_dir.join("holdhunter/v1");
    println!("cargo:rerun-if-changed={}", proto_dir.display());

    // SAFETY: build scripts are single-threaded; setting PROTOC before prost-build reads it.
    unsafe { std::env::set_var("PROTOC", protoc_bin_vendored::protoc_bin_path()?) };

    let mut files: Vec<PathBuf> = std::fs::read_dir(&proto_dir)?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.extension().is_some_and(|ext| ext == "proto"))
        .collect();
    files.sort();
    for file in &files {
        println!("cargo:rerun-if-changed={}", file.display());
    }

    let out_dir = PathBuf::from(std::env::var("OUT_DIR")?);
    tonic_prost_build::configure()
        .file_descriptor_set_path(out_dir.join("holdhunter_v1_descriptor.bin"))
        .compile_protos(
            &files,
            &[manifest_dir.clone(), protoc_bin_vendored::include_path()?],
        )?;
    Ok(())
}
