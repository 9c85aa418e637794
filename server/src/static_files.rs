//! Serves the web dashboard's files on the gRPC port: GET/HEAD requests that are not gRPC go to
//! `tower_http::services::ServeDir`; everything else goes on to grpc-web / gRPC. (tonic-web
//! answers 400 to non-grpc-web HTTP/1.1 requests, so the split happens before it.)

use std::path::PathBuf;
use std::task::{Context, Poll};

use futures::future::BoxFuture;
use http::{Method, Request, Response};
use tower::ServiceExt;
use tower_http::services::ServeDir;

/// Layer: static files from `dir` (none = pass everything through).
#[derive(Debug, Clone)]
pub struct StaticFilesLayer {
    dir: Option<PathBuf>,
}

impl StaticFilesLayer {
    /// Serves `dir` when set.
    pub fn new(dir: Option<PathBuf>) -> Self {
        StaticFilesLayer { dir }
    }
}

impl<S> tower::Layer<S> for StaticFilesLayer {
    type Service = StaticFiles<S>;
    fn layer(&self, inner: S) -> Self::Service {
        StaticFiles {
            inner,
            files: self
                .dir
                .as_ref()
                .map(|d| ServeDir::new(d).append_index_html_on_directories(true)),
        }
    }
}

/// See [`StaticFilesLayer`].
#[derive(Debug, Clone)]
pub struct StaticFiles<S> {
    inner: S,
    files: Option<ServeDir>,
}

fn is_grpc(req: &Request<impl Sized>) -> bool {
    req.headers()
        .get(http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/grpc"))
}

impl<S, B> tower::Service<Request<B>> for StaticFiles<S>
where
    S: tower::Service<Request<B>, Response = Response<tonic::body::Body>>,
    S::Future: Send + 'static,
    S::Error: Send + 'static,
    B: Send + 'static,
{
    type Response = Response<tonic::body::Body>;
    type Error = S::Error;
    type Future = BoxFuture<'static, Result<Self::Response, Self::Error>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: Request<B>) -> Self::Future {
        let is_file_request = matches!(*req.method(), Method::GET | Method::HEAD) && !is_grpc(&req);
        match (&self.files, is_file_request) {
            (Some(files), true) => {
                let files = files.clone();
                Box::pin(async move {
                    let response = match files.oneshot(req).await {
                        Ok(r) => r,
                        Err(never) => match never {},
                    };
                    Ok(response.map(tonic::body::Body::new))
                })
            }
            _ => Box::pin(self.inner.call(req)),
        }
    }
}
