//! The disk guard's part of `--status`: each log's archive total against its `maxtotalsize`,
//! and each filesystem's free space against its `minfree`.

use crate::pathbytes::PathShow as _;
use crate::plan::guard::archive_total;
use crate::plan::FileKind;
use crate::rule::Rule;
use crate::size::human_size;

/// The two tables (empty when no rule sets `maxtotalsize` or `minfree`), each after a blank
/// line.
pub fn guard_tables(rules: &[Rule]) -> String {
    let guarded = crate::guard::guarded_rules(rules, None);
    if guarded.is_empty() {
        return String::new();
    }
    let sets = crate::scan::scan_only(rules, Some(&guarded), &mut Vec::new());
    let mut totals = vec![["ARCHIVES OF".to_string(), "COUNT".into(), "TOTAL".into(), "MAXTOTALSIZE".into()]];
    for set in &sets {
        let o = &rules[set.rule].options;
        let Some(max) = o.max_total_size else { continue };
        for f in set.files.iter().filter(|f| f.kind == FileKind::Regular) {
            let (count, total) = archive_total(o, f);
            let over = if total > max { " (over: removed after the next pass)" } else { "" };
            totals.push([
                f.path.shown().to_string(),
                count.to_string(),
                human_size(total),
                format!("{}{over}", human_size(max)),
            ]);
        }
    }
    let disks = crate::guard::measure(&sets);
    let mut free = vec![["FILESYSTEM OF".to_string(), "FREE".into(), "SIZE".into(), "MINFREE".into()]];
    for (i, disk) in disks.disks.iter().enumerate() {
        let on_disk = |f: &&crate::plan::FileFacts| disks.of_dir.get(&f.archive_dir) == Some(&i);
        let needs = sets
            .iter()
            .filter_map(|s| rules[s.rule].options.min_free.filter(|_| s.files.iter().any(|f| on_disk(&f))))
            .map(|m| (m.bytes_of(disk.total), m))
            .max_by_key(|(bytes, _)| *bytes);
        let Some((bytes, min)) = needs else { continue };
        let low = if disk.avail < bytes { " (below: old archives are removed)" } else { "" };
        let min = match min {
            crate::rule::MinFree::Percent(p) => format!("{} ({p}%){low}", human_size(bytes)),
            crate::rule::MinFree::Bytes(_) => format!("{}{low}", human_size(bytes)),
        };
        free.push([disk.path.shown().to_string(), human_size(disk.avail), human_size(disk.total), min]);
    }
    let mut text = String::new();
    for table in [totals, free].into_iter().filter(|t| t.len() > 1) {
        text.push('\n');
        text.push_str(&aligned(&table));
    }
    text
}

/// Rows of four columns, aligned (widths count characters).
fn aligned(rows: &[[String; 4]]) -> String {
    let w = |c: usize| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0);
    let (w0, w1, w2) = (w(0), w(1), w(2));
    rows.iter()
        .map(|r| format!("{:w0$}  {:w1$}  {:w2$}  {}", r[0], r[1], r[2], r[3]).trim_end().to_string() + "\n")
        .collect()
}
