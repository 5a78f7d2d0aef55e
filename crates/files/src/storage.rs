//! Where the bytes live: one interface, two backends chosen by URL like the
//! database, both through the `object_store` crate.
//!
//! - A folder (a plain path or `file:///path`): the default, beside the
//!   SQLite file. Writes are fsynced (the file and its folder) before the
//!   transaction that records them commits.
//! - An S3-compatible object store (`s3://bucket/prefix?aws_endpoint=...`):
//!   for production and several servers. The query takes `object_store`'s
//!   S3 options (`aws_endpoint`, `aws_region`, `aws_allow_http`...);
//!   credentials come from the usual `AWS_*` environment variables.
//!
//! Bytes are stored under the file's id only (`ab/abcdef...`), never under
//! a name a client chose. Writes stream: at most one part (256 KB for a
//! folder, 5 MB for S3, its smallest part) is held per upload, and the
//! SHA-256 and the type are computed as the bytes go by.

use std::sync::Arc;

use bytes::Bytes;
use futures_util::stream::BoxStream;
use futures_util::{StreamExt, TryStreamExt};
use object_store::aws::{AmazonS3Builder, AmazonS3ConfigKey};
use object_store::local::LocalFileSystem;
use object_store::path::Path;
use object_store::{ObjectStore, ObjectStoreExt, WriteMultipart};
use sha2::{Digest, Sha256};

use crate::content::{ContentProblem, Inspector, MediaType};
use crate::error::{FileError, FileResult};

/// The file storage.
#[derive(Clone)]
pub struct Storage {
    store: Arc<dyn ObjectStore>,
    prefix: Option<Path>,
    part_size: usize,
    /// The URL without its query (no secrets), for logs.
    describe: String,
}

impl std::fmt::Debug for Storage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Storage")
            .field("at", &self.describe)
            .finish()
    }
}

/// Bytes written and what they were.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written {
    pub sha256: String,
    pub size: u64,
    pub media_type: MediaType,
}

impl Storage {
    /// Opens the storage a URL names (see the module documentation); a
    /// folder is created when missing.
    pub fn open(url: &str) -> FileResult<Storage> {
        let url = url.trim();
        if let Some(rest) = url.strip_prefix("s3://") {
            return Self::s3(rest);
        }
        if url.contains("://") && !url.starts_with("file://") {
            return Err(FileError::Config(format!(
                "{url}: use a folder path, file:///path or s3://bucket/prefix"
            )));
        }
        let folder = url.strip_prefix("file://").unwrap_or(url);
        if folder.is_empty() {
            return Err(FileError::Config("the folder path is empty".into()));
        }
        std::fs::create_dir_all(folder)
            .map_err(|e| FileError::Config(format!("cannot create the folder {folder}: {e}")))?;
        let store = LocalFileSystem::new_with_prefix(folder)
            .map_err(|e| FileError::Config(format!("folder {folder}: {e}")))?
            .with_fsync(true);
        Ok(Storage {
            store: Arc::new(store),
            prefix: None,
            part_size: 256 * 1024,
            describe: format!("folder {folder}"),
        })
    }

    fn s3(rest: &str) -> FileResult<Storage> {
        install_tls_provider();
        let (location, query) = rest.split_once('?').unwrap_or((rest, ""));
        let (bucket, prefix) = location.split_once('/').unwrap_or((location, ""));
        if bucket.is_empty() {
            return Err(FileError::Config("s3:// needs a bucket name".into()));
        }
        let mut builder = AmazonS3Builder::from_env().with_bucket_name(bucket);
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            let key: AmazonS3ConfigKey = key
                .parse()
                .map_err(|_| FileError::Config(format!("unknown S3 option {key}")))?;
            builder = builder.with_config(key, percent_decode(value));
        }
        let store = builder
            .build()
            .map_err(|e| FileError::Config(format!("s3://{location}: {e}")))?;
        let prefix = prefix.trim_matches('/');
        Ok(Storage {
            store: Arc::new(store),
            prefix: (!prefix.is_empty()).then(|| Path::from(prefix)),
            part_size: 5 * 1024 * 1024,
            describe: format!("s3://{location}"),
        })
    }

    /// Where the storage is, without secrets.
    pub fn describe(&self) -> &str {
        &self.describe
    }

    /// The location of a file's bytes: its id, under two characters of it
    /// so no folder grows too large.
    fn location(&self, id: &str) -> FileResult<Path> {
        if id.len() < 3 || !id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
            return Err(FileError::NotFound("file"));
        }
        let key = format!("{}/{}", &id[..2], id);
        Ok(match &self.prefix {
            Some(p) => Path::from(format!("{p}/{key}")),
            None => Path::from(key),
        })
    }

    /// Starts writing a file's bytes, refusing more than `max_bytes`.
    pub async fn writer(&self, id: &str, max_bytes: u64) -> FileResult<FileWriter> {
        let upload = self.store.put_multipart(&self.location(id)?).await?;
        Ok(FileWriter {
            upload: Some(WriteMultipart::new_with_chunk_size(upload, self.part_size)),
            hasher: Sha256::new(),
            size: 0,
            max_bytes,
            inspector: Inspector::default(),
        })
    }

    /// A file's bytes, as a stream of chunks.
    pub async fn read(&self, id: &str) -> FileResult<BoxStream<'static, FileResult<Bytes>>> {
        match self.store.get(&self.location(id)?).await {
            Ok(found) => Ok(found.into_stream().map_err(FileError::from).boxed()),
            Err(object_store::Error::NotFound { .. }) => Err(FileError::Integrity {
                id: id.to_string(),
                problem: "its bytes are missing from the storage".into(),
            }),
            Err(e) => Err(e.into()),
        }
    }

    /// The SHA-256 and size of a file's stored bytes, read through once;
    /// `None` when they are missing.
    pub async fn digest(&self, id: &str) -> FileResult<Option<(String, u64)>> {
        let mut stream = match self.read(id).await {
            Ok(s) => s,
            Err(FileError::Integrity { .. }) => return Ok(None),
            Err(e) => return Err(e),
        };
        let (mut hasher, mut size) = (Sha256::new(), 0u64);
        while let Some(chunk) = stream.next().await {
            let chunk = chunk?;
            size += chunk.len() as u64;
            hasher.update(&chunk);
        }
        Ok(Some((hex::encode(hasher.finalize()), size)))
    }

    /// Deletes a file's bytes; deleting what is not there is no error.
    pub async fn delete(&self, id: &str) -> FileResult<()> {
        match self.store.delete(&self.location(id)?).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(e.into()),
        }
    }
}

/// A file being written: each chunk is hashed, counted and inspected, then
/// handed to the storage.
pub struct FileWriter {
    upload: Option<WriteMultipart>,
    hasher: Sha256,
    size: u64,
    max_bytes: u64,
    inspector: Inspector,
}

impl FileWriter {
    /// Writes the next chunk. Refuses (and the caller aborts) a file
    /// over its limit or whose first bytes are not an accepted type.
    pub async fn write(&mut self, chunk: Bytes) -> FileResult<()> {
        self.size += chunk.len() as u64;
        if self.size > self.max_bytes {
            return Err(FileError::TooLarge(format!(
                "the file is larger than the {} bytes still allowed",
                self.max_bytes
            )));
        }
        self.inspector.feed(&chunk).map_err(content_error)?;
        self.hasher.update(&chunk);
        let upload = self
            .upload
            .as_mut()
            .ok_or_else(|| FileError::Storage("the upload was already closed".into()))?;
        // At most two parts in flight: memory stays at a few parts per
        // upload whatever the file's size.
        upload.wait_for_capacity(2).await?;
        upload.put(chunk);
        Ok(())
    }

    /// Checks the file is complete and of an accepted type, then makes
    /// the bytes durable.
    pub async fn finish(mut self) -> FileResult<Written> {
        let inspector = std::mem::take(&mut self.inspector);
        let media_type = match inspector.finish() {
            Ok(m) => m,
            Err(e) => {
                self.abort().await;
                return Err(content_error(e));
            }
        };
        let upload = self
            .upload
            .take()
            .ok_or_else(|| FileError::Storage("the upload was already closed".into()))?;
        upload.finish().await?;
        Ok(Written {
            sha256: hex::encode(self.hasher.finalize_reset()),
            size: self.size,
            media_type,
        })
    }

    /// Drops what was written so far.
    pub async fn abort(mut self) {
        if let Some(upload) = self.upload.take() {
            if let Err(e) = upload.abort().await {
                tracing::warn!(error = %e, "could not abort a file upload; the sweep removes it");
            }
        }
    }
}

fn content_error(e: ContentProblem) -> FileError {
    match e {
        ContentProblem::Unsupported(_) => FileError::UnsupportedType(e.to_string()),
        ContentProblem::Empty | ContentProblem::Truncated(_) => {
            FileError::invalid("file", e.to_string())
        }
    }
}

/// `%XX` escapes in an option's value (an endpoint URL in a query).
fn percent_decode(v: &str) -> String {
    percent_encoding::percent_decode_str(v)
        .decode_utf8_lossy()
        .into_owned()
}

/// Makes ring rustls's crypto provider for the process, once: reqwest is
/// built on rustls without a default one (ring is quicker to build than
/// aws-lc). Every HTTPS client of the process (S3 here, webhooks in the
/// API) calls it before it is built; later calls do nothing.
pub fn install_tls_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}
