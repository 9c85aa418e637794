//! RingCentral error responses: `{"errors":[{"errorCode","message","parameterName"?}]}` (SPEC
//! `ApiError`), and the OAuth variant that adds `error`/`error_description` (SPEC
//! `OauthInvalidRequest`). Codes come from REF §1-§6; the ones REF marks UNVERIFIED are noted.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

/// One error response.
#[derive(Debug, Clone)]
pub struct ApiError {
    /// HTTP status.
    pub status: StatusCode,
    /// RingCentral error code, e.g. "CMN-101".
    pub code: &'static str,
    /// Human message.
    pub message: String,
    /// Offending parameter, if any.
    pub parameter_name: Option<String>,
    /// OAuth `error` (token endpoint only), e.g. "invalid_grant".
    pub oauth_error: Option<&'static str>,
    /// `Retry-After` seconds (429, 503).
    pub retry_after_s: Option<u64>,
}

impl ApiError {
    fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        ApiError {
            status,
            code,
            message: message.into(),
            parameter_name: None,
            oauth_error: None,
            retry_after_s: None,
        }
    }

    /// 400 CMN-101 "Parameter [name] value is invalid" (DOCS errors.md).
    pub fn invalid_parameter(name: &str) -> Self {
        let mut e = Self::new(
            StatusCode::BAD_REQUEST,
            "CMN-101",
            format!("Parameter [{name}] value is invalid"),
        );
        e.parameter_name = Some(name.to_string());
        e
    }

    /// 404 CMN-102 "Resource for parameter [name] is not found" (DOCS errors.md).
    pub fn not_found(name: &str) -> Self {
        let mut e = Self::new(
            StatusCode::NOT_FOUND,
            "CMN-102",
            format!("Resource for parameter [{name}] is not found"),
        );
        e.parameter_name = Some(name.to_string());
        e
    }

    /// 409 TAS-102 "Incorrect State" (WIDGETS RcMock; UNVERIFIED catalogue).
    pub fn incorrect_state() -> Self {
        Self::new(StatusCode::CONFLICT, "TAS-102", "Incorrect State")
    }

    /// 403 TAS-106 "Operation is not allowed" (community report; UNVERIFIED).
    pub fn not_allowed() -> Self {
        Self::new(StatusCode::FORBIDDEN, "TAS-106", "Operation is not allowed")
    }

    /// 401 with an OAU code (DOCS errors.md: OAU-123, OAU-128, OAU-129).
    pub fn unauthorized(code: &'static str, message: &str) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, code, message)
    }

    /// 429 CMN-301 "Request rate exceeded" with `Retry-After` (REF §6).
    pub fn rate_limited(retry_after_s: u64) -> Self {
        let mut e = Self::new(
            StatusCode::TOO_MANY_REQUESTS,
            "CMN-301",
            "Request rate exceeded",
        );
        e.retry_after_s = Some(retry_after_s);
        e
    }

    /// 503 CMN-201 "Service Temporary Unavailable" (WIDGETS RcMock).
    pub fn unavailable() -> Self {
        let mut e = Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "CMN-201",
            "Service Temporary Unavailable",
        );
        e.retry_after_s = Some(1);
        e
    }

    /// 415 for a wrong `Content-Type`.
    pub fn unsupported_media_type() -> Self {
        Self::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "CMN-415",
            "Unsupported Media Type",
        )
    }

    /// 400 SUB-525 "WebHook server response is invalid" (DOCS creating-webhooks.md).
    pub fn webhook_validation_failed() -> Self {
        let mut e = Self::new(
            StatusCode::BAD_REQUEST,
            "SUB-525",
            "WebHook server response is invalid",
        );
        e.parameter_name = Some("deliveryMode.address".into());
        e
    }

    /// 400 SUB-508 "Invalid event filters" (DOCS errors.md).
    pub fn invalid_event_filters() -> Self {
        let mut e = Self::new(StatusCode::BAD_REQUEST, "SUB-508", "Invalid event filters");
        e.parameter_name = Some("eventFilters".into());
        e
    }

    /// 403 SUB-505 "Subscriptions limit exceeded" (DOCS errors.md).
    pub fn subscription_limit() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "SUB-505",
            "Subscriptions limit exceeded",
        )
    }

    /// An OAuth token-endpoint error: adds `error` and `error_description` (REF §1).
    pub fn oauth(
        status: StatusCode,
        oauth_error: &'static str,
        code: &'static str,
        message: &str,
    ) -> Self {
        let mut e = Self::new(status, code, message);
        e.oauth_error = Some(oauth_error);
        e
    }

    /// The JSON body.
    pub fn body(&self) -> Value {
        let mut item = json!({"errorCode": self.code, "message": self.message});
        if let Some(p) = &self.parameter_name {
            item["parameterName"] = json!(p);
        }
        match self.oauth_error {
            Some(err) => json!({
                "error": err,
                "errors": [item],
                "error_description": self.message,
            }),
            None => json!({ "errors": [item] }),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut resp = (self.status, axum::Json(self.body())).into_response();
        if let Some(s) = self.retry_after_s {
            resp.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(s));
        }
        resp
    }
}

/// Result alias for handlers.
pub type ApiResult<T> = Result<T, ApiError>;
