//! Work split over a few threads, for what a pass does to thousands of logs at once. A thread
//! that cannot start (a pids cgroup limit, `RLIMIT_NPROC` for a user's own run) is no error:
//! its part runs on the calling thread instead, with the same results.

/// `items` in parts of at least `per_thread` items, one for each core at most (one part when
/// there are few).
pub(crate) fn parts<T>(items: &[T], per_thread: usize) -> Vec<&[T]> {
    let threads = crate::exec::cores().min(items.len() / per_thread.max(1)).max(1);
    items.chunks(items.len().div_ceil(threads).max(1)).collect()
}

/// `work` applied to each of `parts`, each on a thread of its own but the last, which the
/// calling thread takes; the results in the order of the parts.
pub(crate) fn map<P: Copy + Send, R: Send>(parts: &[P], work: impl Fn(P) -> R + Sync) -> Vec<R> {
    let work = &work;
    let Some((&last, rest)) = parts.split_last() else { return Vec::new() };
    std::thread::scope(|s| {
        let started: Vec<(P, Option<std::thread::ScopedJoinHandle<'_, R>>)> = rest
            .iter()
            .map(|&part| (part, std::thread::Builder::new().spawn_scoped(s, move || work(part)).ok()))
            .collect();
        let last = work(last);
        let mut out: Vec<R> = started
            .into_iter()
            .map(|(part, thread)| match thread {
                Some(t) => t.join().unwrap_or_else(|e| std::panic::resume_unwind(e)),
                None => work(part),
            })
            .collect();
        out.push(last);
        out
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn results_come_in_the_order_of_the_parts() {
        let parts: Vec<&[u32]> = [1u32, 2, 3, 4, 5, 6, 7].chunks(3).collect();
        assert_eq!(super::map(&parts, |p: &[u32]| p.iter().sum::<u32>()), [6, 15, 7]);
        assert!(super::map(&[] as &[u8], |p| p).is_empty());
        assert_eq!(super::parts(&[1, 2, 3], 16), [&[1, 2, 3][..]]);
        assert!(super::parts(&[] as &[u8], 16).is_empty());
        let many: Vec<u32> = (0..100).collect();
        let split = super::parts(&many, 10);
        assert_eq!(split.len(), crate::exec::cores().clamp(1, 10));
        assert_eq!(split.concat(), many);
    }
}
