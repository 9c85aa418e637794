//! The subscription validation handshake (reference §5, DOCS creating-webhooks.md): RingCentral
//! POSTs an empty body with a `Validation-Token` header and requires, within 3000 ms, HTTP 200
//! echoing that header, with the whole response (headers + body) at most 1024 bytes, else the
//! subscription fails with SUB-525.

use axum::body::Body;
use axum::response::Response;
use http::{HeaderValue, StatusCode, header};

/// Request/response header of the handshake.
pub const VALIDATION_TOKEN_HEADER: &str = "validation-token";

/// Longest `Validation-Token` echoed, in bytes. Keeps the response far below 1024 bytes
/// (status line + `validation-token`, `content-type`, `content-length`, `date` ≈ 150 bytes
/// plus the token). RingCentral's tokens are UUID-sized.
pub const MAX_VALIDATION_TOKEN_BYTES: usize = 512;

/// 200 with the token echoed, `Content-Type: application/json` (the DOCS troubleshooting
/// advice) and an empty body; 400 with an empty body when the token is too long to echo
/// within 1024 bytes.
pub fn validation_response(token: &HeaderValue) -> Response {
    if token.len() > MAX_VALIDATION_TOKEN_BYTES {
        return Response::builder()
            .status(StatusCode::BAD_REQUEST)
            .body(Body::empty())
            .unwrap_or_default();
    }
    Response::builder()
        .status(StatusCode::OK)
        .header(VALIDATION_TOKEN_HEADER, token.clone())
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::empty())
        .unwrap_or_default()
}
