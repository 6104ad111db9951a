//! Shrinking: drop runs, config files, config lines, stanza directives, files, state entries and
//! command-line words one at a time, keeping each removal that leaves the difference in place,
//! until nothing more can go (or the budget is spent).

use std::time::{Duration, Instant};

use super::model::{Case, Item, Setup};

/// Every case one step smaller than `case`.
fn candidates(case: &Case) -> Vec<Case> {
    let mut out = Vec::new();
    for i in 0..case.runs.len() {
        if case.runs.len() > 1 {
            let mut c = case.clone();
            c.runs.remove(i);
            out.push(c);
        }
    }
    for i in 1..case.confs.len() {
        let mut c = case.clone();
        c.confs.remove(i);
        out.push(c);
    }
    for (ci, conf) in case.confs.iter().enumerate() {
        for (ii, item) in conf.items.iter().enumerate() {
            let mut c = case.clone();
            c.confs[ci].items.remove(ii);
            out.push(c);
            if let Item::Stanza { body, brace_on_next_line, head } = item {
                for bi in 0..body.len() {
                    let mut c = case.clone();
                    if let Item::Stanza { body, .. } = &mut c.confs[ci].items[ii] {
                        body.remove(bi);
                    }
                    out.push(c);
                }
                if *brace_on_next_line {
                    let mut c = case.clone();
                    if let Item::Stanza { brace_on_next_line, .. } = &mut c.confs[ci].items[ii] {
                        *brace_on_next_line = false;
                    }
                    out.push(c);
                }
                let words: Vec<&str> = head.split_whitespace().collect();
                if words.len() > 1 {
                    for wi in 0..words.len() {
                        let mut c = case.clone();
                        let mut w = words.clone();
                        w.remove(wi);
                        if let Item::Stanza { head, .. } = &mut c.confs[ci].items[ii] {
                            *head = w.join(" ");
                        }
                        out.push(c);
                    }
                }
            }
        }
    }
    for i in 0..case.setup.len() {
        let mut c = case.clone();
        c.setup.remove(i);
        out.push(c);
        if let Setup::File { contents, .. } | Setup::Gz { contents, .. } = &case.setup[i] {
            if contents.len() > 40 && !case.setup[i].is_script() {
                let mut c = case.clone();
                if let Setup::File { contents, .. } | Setup::Gz { contents, .. } = &mut c.setup[i] {
                    *contents = "short\n".into();
                }
                out.push(c);
            }
        }
    }
    if let Some(state) = &case.state {
        let mut c = case.clone();
        c.state = None;
        out.push(c);
        for i in 0..state.entries.len() {
            let mut c = case.clone();
            if let Some(s) = &mut c.state {
                s.entries.remove(i);
            }
            out.push(c);
        }
    }
    for (ri, run) in case.runs.iter().enumerate() {
        if run.travel_days != 0 {
            let mut c = case.clone();
            c.runs[ri].travel_days = 0;
            out.push(c);
        }
        if !run.appends.is_empty() {
            let mut c = case.clone();
            c.runs[ri].appends.clear();
            out.push(c);
        }
        for ai in 0..run.args.len() {
            // An option with its value goes as a pair, a lone word alone.
            for width in [2, 1] {
                if ai + width <= run.args.len() {
                    let mut c = case.clone();
                    c.runs[ri].args.drain(ai..ai + width);
                    out.push(c);
                }
            }
        }
    }
    out.retain(|c| c.runs.iter().all(|r| r.is_contained()));
    out
}

/// Shrink `case` while `keeps` says the difference is still there. Spends at most `budget`
/// attempts and `time` wall-clock time.
pub fn shrink(
    case: &Case,
    budget: usize,
    time: Duration,
    mut keeps: impl FnMut(&Case) -> bool,
) -> (Case, usize) {
    let deadline = Instant::now() + time;
    let mut best = case.clone();
    let mut tries = 0;
    'outer: loop {
        for candidate in candidates(&best) {
            if tries >= budget || Instant::now() > deadline {
                break 'outer;
            }
            tries += 1;
            if keeps(&candidate) {
                best = candidate;
                continue 'outer;
            }
        }
        break;
    }
    (best, tries)
}
