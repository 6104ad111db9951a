//! `logrotate --status`: the table for people (human sizes, dates, next due from the planner).

use crate::common;

use common::fixture::{code, stderr, Fx};

fn status(fx: &Fx) -> String {
    let o = fx.run(&["--status"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    String::from_utf8(o.stdout).unwrap()
}

fn row<'a>(table: &'a str, name: &str) -> &'a str {
    table
        .lines()
        .find(|l| l.split_whitespace().next().is_some_and(|p| p.ends_with(&format!("/{name}"))))
        .unwrap()
}

fn fixture() -> Fx {
    let fx = Fx::new();
    let now = chrono::Local::now().naive_local();
    let stamp = |t: chrono::NaiveDateTime| t.format("%Y-%-m-%-d-%-H:%-M:%-S").to_string();
    fx.write("today.log", "x\n");
    fx.write("old.log", &"y".repeat(1536));
    fx.write("new.log", "");
    fx.write("small.log", &"z".repeat(2048));
    fx.write("big.log", &"b".repeat(3 << 20));
    let d = fx.d();
    fx.write(
        "state",
        &format!(
            "logrotate state -- version 2\n\"{d}/today.log\" {}\n\"{d}/old.log\" {}\n",
            stamp(now),
            stamp(now - chrono::Duration::days(3))
        ),
    );
    fx.conf(
        "@D@/today.log @D@/old.log @D@/new.log {\n daily\n}\n\
         @D@/small.log @D@/big.log @D@/gone.log {\n size 10M\n missingok\n}\n",
    );
    fx
}

#[test]
fn next_due_is_a_date_from_the_last_rotation() {
    let fx = fixture();
    let table = status(&fx);
    let tomorrow = chrono::Local::now().date_naive() + chrono::Duration::days(1);
    let today = row(&table, "today.log");
    assert!(today.contains(&format!("{} 00:00", tomorrow.format("%Y-%m-%d"))), "{table}");
    assert!(today.contains(&chrono::Local::now().format("%Y-%m-%d ").to_string()), "{table}");
    assert!(row(&table, "old.log").contains("due now"), "{table}");
    let new = row(&table, "new.log");
    assert!(new.contains("never") && new.contains("first run records it"), "{table}");
}

#[test]
fn sizes_and_triggers_are_for_people() {
    let fx = fixture();
    let table = status(&fx);
    assert!(row(&table, "today.log").ends_with("  2 B"), "{table}");
    assert!(row(&table, "old.log").ends_with("  1.5 KiB"), "{table}");
    assert!(row(&table, "new.log").ends_with("  0 B"), "{table}");
    let small = row(&table, "small.log");
    assert!(small.contains("size ≥ 10 MiB") && small.ends_with("  2 KiB"), "{table}");
    assert!(row(&table, "big.log").ends_with("  3 MiB"), "{table}");
    assert!(row(&table, "gone.log").ends_with("  missing"), "{table}");
    assert!(!table.contains(">="), "{table}");
}

#[test]
fn columns_are_aligned() {
    let fx = fixture();
    let table = status(&fx);
    let lines: Vec<&str> = table.lines().collect();
    assert!(lines[0].starts_with("LOG ") && lines[0].ends_with("SIZE"), "{table}");
    assert_eq!(lines.len(), 7, "{table}");
    // Each column starts at the same character in every line (`≥` is one character).
    for header in ["RULE", "LAST ROTATED", "NEXT DUE / TRIGGER", "SIZE"] {
        let col = lines[0].find(header).unwrap();
        for l in &lines[1..] {
            let chars: Vec<char> = l.chars().collect();
            assert!(chars[col - 2..col] == [' ', ' '] && chars[col] != ' ', "{header} in {l:?}\n{table}");
        }
    }
}
