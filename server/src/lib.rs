//! Hold Hunter gRPC control plane: API, hunt engine, Redis store
