//! The `tracing` feature: a [`WatchedFile`] is a `tracing_subscriber::fmt::MakeWriter`.

use crate::WatchedFile;
use tracing_subscriber::fmt::MakeWriter;

/// Each event is formatted by `tracing_subscriber::fmt` and written with one `write_all`, so it
/// lands whole in one file. `Arc<WatchedFile>` works too.
///
/// # Examples
///
/// ```
/// use watched_writer::WatchedFile;
///
/// let dir = tempfile::tempdir()?;
/// let log = WatchedFile::open(dir.path().join("app.log"))?;
/// let subscriber = tracing_subscriber::fmt().with_writer(log).with_ansi(false).finish();
/// tracing::subscriber::with_default(subscriber, || {
///     tracing::info!(user = "ada", "logged in");
/// });
/// let text = std::fs::read_to_string(dir.path().join("app.log"))?;
/// assert!(text.contains("logged in user=\"ada\""), "{text}");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
impl<'a> MakeWriter<'a> for WatchedFile {
    type Writer = &'a WatchedFile;

    fn make_writer(&'a self) -> Self::Writer {
        self
    }
}
