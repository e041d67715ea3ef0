use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

/// Every error the API returns, with its HTTP status. One table: [`ErrorCode::status`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorCode {
    /// A query parameter is malformed (bad date, bad number, unknown parameter).
    BadParameter,
    /// No article (or entity) with that id.
    NotFound,
    /// No such route.
    NoRoute,
    /// The store cannot answer this yet (outdated index or format: open it writable once).
    Unavailable,
    /// The store failed (I/O, corrupt data): not the caller's fault.
    Internal,
    /// A request body that cannot be read: not UTF-8, malformed JSON, empty text.
    BadBody,
    /// A request body over the route's limit.
    TooLarge,
    /// The analyzer could not make an article of the text it was given.
    NotAnalyzable,
    /// This server was started without the feature (`/analyze` without an analyzer).
    NotImplemented,
    /// The route exists but not for this HTTP method.
    MethodNotAllowed,
    /// A URL the user gave could not be fetched (unreachable, an HTTP error, too slow, too
    /// large).
    FetchFailed,
}

impl ErrorCode {
    pub fn status(self) -> StatusCode {
        match self {
            ErrorCode::BadParameter => StatusCode::BAD_REQUEST,
            ErrorCode::NotFound | ErrorCode::NoRoute => StatusCode::NOT_FOUND,
            ErrorCode::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            ErrorCode::Internal => StatusCode::INTERNAL_SERVER_ERROR,
            ErrorCode::BadBody => StatusCode::BAD_REQUEST,
            ErrorCode::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            ErrorCode::NotAnalyzable => StatusCode::UNPROCESSABLE_ENTITY,
            ErrorCode::NotImplemented => StatusCode::NOT_IMPLEMENTED,
            ErrorCode::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            ErrorCode::FetchFailed => StatusCode::BAD_GATEWAY,
        }
    }
    pub fn name(self) -> &'static str {
        match self {
            ErrorCode::BadParameter => "bad_parameter",
            ErrorCode::NotFound => "not_found",
            ErrorCode::NoRoute => "no_route",
            ErrorCode::Unavailable => "unavailable",
            ErrorCode::Internal => "internal",
            ErrorCode::BadBody => "bad_body",
            ErrorCode::TooLarge => "too_large",
            ErrorCode::NotAnalyzable => "not_analyzable",
            ErrorCode::NotImplemented => "not_implemented",
            ErrorCode::MethodNotAllowed => "method_not_allowed",
            ErrorCode::FetchFailed => "fetch_failed",
        }
    }
}

/// An API error: a code and a message for the caller.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct ApiError {
    pub code: ErrorCode,
    pub message: String,
}

impl ApiError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> ApiError {
        ApiError { code, message: message.into() }
    }
}

impl From<newsgraph_store::StoreError> for ApiError {
    fn from(e: newsgraph_store::StoreError) -> Self {
        use newsgraph_store::ErrorKind;
        if let ErrorKind::NeedsUpgrade { .. } | ErrorKind::IndexUnavailable(_) = e.kind() {
            tracing::warn!(error = %e, "store not ready");
            return ApiError::new(ErrorCode::Unavailable, e.to_string());
        }
        tracing::error!(error = %e, "store error");
        ApiError::new(ErrorCode::Internal, e.to_string())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.code.status();
        let body = json!({"error": {"code": self.code.name(), "status": status.as_u16(), "message": self.message}});
        (status, Json(body)).into_response()
    }
}
