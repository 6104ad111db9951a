//! Counts the numbered lines in the live log and its archives (decompressed).

use std::collections::HashSet;
use std::fs;
use std::io::Read;
use std::path::Path;

/// One archive at the end of the run.
pub struct Archive {
    /// `app.log.N.gz` (or `app.log.N`).
    pub name: String,
    /// Size on disk.
    pub size: u64,
    /// Size decompressed.
    pub raw: u64,
}

impl Archive {
    /// Compressed size as a percentage of the original.
    pub fn percent(&self) -> f64 {
        100.0 * self.size as f64 / self.raw.max(1) as f64
    }
}

/// What was found.
pub struct Tally {
    /// Every sequence number found.
    pub found: HashSet<u64>,
    /// Lines found more than once.
    pub duplicates: usize,
    /// Lines found in the live `app.log`.
    pub in_log: usize,
    /// The archives, newest first.
    pub archives: Vec<Archive>,
}

impl Tally {
    /// All archives' sizes on disk.
    pub fn archive_bytes(&self) -> u64 {
        self.archives.iter().map(|a| a.size).sum()
    }
}

/// Reads `dir/app.log` and every `dir/app.log.*`.
pub fn count(dir: &Path) -> std::io::Result<Tally> {
    let mut t = Tally { found: HashSet::new(), duplicates: 0, in_log: 0, archives: Vec::new() };
    for entry in fs::read_dir(dir)? {
        let path = entry?.path();
        let name = path.file_name().unwrap_or_default().to_string_lossy().into_owned();
        if !name.starts_with("app.log") {
            continue;
        }
        let mut text = String::new();
        if name.ends_with(".gz") {
            flate2::read::MultiGzDecoder::new(fs::File::open(&path)?).read_to_string(&mut text)?;
        } else {
            text = fs::read_to_string(&path)?;
        }
        let mut lines = 0;
        for line in text.lines() {
            if let Some(seq) = line.get(..12).and_then(|s| s.parse::<u64>().ok()) {
                lines += 1;
                if !t.found.insert(seq) {
                    t.duplicates += 1;
                }
            }
        }
        if name == "app.log" {
            t.in_log = lines;
        } else {
            let size = fs::metadata(&path)?.len();
            t.archives.push(Archive { name, size, raw: text.len() as u64 });
        }
    }
    let number = |a: &Archive| a.name.split('.').nth(2).and_then(|n| n.parse::<u64>().ok()).unwrap_or(0);
    t.archives.sort_by_key(number);
    Ok(t)
}
