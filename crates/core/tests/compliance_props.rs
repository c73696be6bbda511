//! Property tests of periods and the compliance engine against a deliberately naive model.
//!
//! The model shares no code with the engine beyond chrono's calendar: a period is the run of
//! consecutive days that share a calendar key (ISO week-year and week, year and month, …), found
//! by walking day by day; sums are plain loops over the facts; elapsed days are counted one by one.

use std::collections::BTreeMap;

use chrono::{Datelike, Duration, NaiveDate};
use kehoach_core::compliance::*;
use kehoach_core::period::{Per, Period};
use proptest::prelude::*;

fn base() -> NaiveDate {
    NaiveDate::from_ymd_opt(2019, 1, 1).unwrap()
}

fn day(offset: i64) -> NaiveDate {
    base() + Duration::days(offset)
}

/// The calendar key of a date for a `per`; two days are in the same period iff their keys match.
fn key(per: Per, d: NaiveDate) -> (i32, u32) {
    match per {
        Per::Day => (d.year(), d.ordinal()),
        Per::Week => (d.iso_week().year(), d.iso_week().week()),
        Per::Month => (d.year(), d.month()),
        Per::Quarter => (d.year(), (d.month() - 1) / 3),
        Per::Year | Per::Plan => (d.year(), 0),
    }
}

/// The naive period of `per` around `d`: walk both ways while the key stays the same.
fn naive_period(per: Per, d: NaiveDate) -> Period {
    let k = key(per, d);
    let mut start = d;
    while key(per, start - Duration::days(1)) == k {
        start -= Duration::days(1);
    }
    let mut end = d;
    while key(per, end + Duration::days(1)) == k {
        end += Duration::days(1);
    }
    Period { start, end }
}

fn naive_span(window: Window, per: Per, at: NaiveDate) -> Period {
    match window.to {
        Some(to) => Period {
            start: window.from.min(to),
            end: window.from.max(to),
        },
        None => {
            let anchor = if at > window.from { at } else { window.from };
            let per = if per == Per::Plan { Per::Year } else { per };
            Period {
                start: window.from,
                end: naive_period(per, anchor).end,
            }
        }
    }
}

fn add_days(d: NaiveDate, n: u32) -> NaiveDate {
    let mut out = d;
    for _ in 0..n {
        out = out.succ_opt().unwrap();
    }
    out
}

fn naive_period_report(
    p: Period,
    c: f64,
    achieved: f64,
    on_time_achieved: f64,
    at: NaiveDate,
) -> PeriodReport {
    let status = if p.start > at {
        PeriodStatus::Future
    } else if achieved >= c {
        PeriodStatus::Met
    } else if p.start <= at && at <= p.end {
        PeriodStatus::Open
    } else if achieved > 0.0 {
        PeriodStatus::Partial
    } else {
        PeriodStatus::Missed
    };
    let on_time = (p.end < at).then_some(status == PeriodStatus::Met && on_time_achieved >= c);
    PeriodReport {
        start: p.start,
        end: p.end,
        expected: c,
        achieved,
        status,
        on_time,
    }
}

fn naive_target(
    target: &Target,
    window: Window,
    grace: u32,
    facts: &[ActivityFact],
    at: NaiveDate,
) -> TargetReport {
    let span = naive_span(window, target.per, at);
    let c = target.count;
    let mut periods = Vec::new();
    let mut pace = None;
    if target.per == Per::Plan {
        let (mut achieved, mut on_time_achieved) = (0.0, 0.0);
        for f in facts {
            if span.start <= f.occurred_on && f.occurred_on <= span.end {
                achieved += f.quantity;
                if f.recorded_on <= add_days(f.occurred_on, grace) {
                    on_time_achieved += f.quantity;
                }
            }
        }
        periods.push(naive_period_report(span, c, achieved, on_time_achieved, at));
        let (mut elapsed, mut total) = (0i64, 0i64);
        let mut d = span.start;
        while d <= span.end {
            total += 1;
            if d <= at {
                elapsed += 1;
            }
            d = d.succ_opt().unwrap();
        }
        let expected_by_date = c * (elapsed as f64 / total as f64);
        let state = if achieved >= c {
            PaceState::Met
        } else if achieved >= expected_by_date {
            PaceState::OnTrack
        } else {
            PaceState::Behind
        };
        pace = Some(Pace {
            expected_by_date,
            achieved,
            state,
        });
    } else {
        let mut d = span.start;
        let mut last_key = None;
        while d <= span.end {
            let k = key(target.per, d);
            if last_key != Some(k) {
                last_key = Some(k);
                let p = naive_period(target.per, d);
                let (mut achieved, mut on_time_achieved) = (0.0, 0.0);
                for f in facts {
                    if key(target.per, f.occurred_on) == k {
                        achieved += f.quantity;
                        if f.recorded_on <= add_days(p.end, grace) {
                            on_time_achieved += f.quantity;
                        }
                    }
                }
                periods.push(naive_period_report(p, c, achieved, on_time_achieved, at));
            }
            d = d.succ_opt().unwrap();
        }
    }
    let ended = periods.iter().filter(|p| p.end < at).count();
    let met = periods
        .iter()
        .filter(|p| p.end < at && p.status == PeriodStatus::Met)
        .count();
    let on_time = periods.iter().filter(|p| p.on_time == Some(true)).count();
    let rate = |n: usize| (ended > 0).then(|| n as f64 / ended as f64);
    TargetReport {
        count: c,
        per: target.per,
        unit: target.unit.clone(),
        reporting_rate: rate(met),
        on_time_rate: rate(on_time),
        periods,
        pace,
    }
}

fn naive_deadline(due: NaiveDate, facts: &[ActivityFact], at: NaiveDate) -> DeadlineState {
    // Walk the days up to `at`; the first day with a completing activity is the done date.
    let mut d = base() - Duration::days(400);
    while d <= at {
        if facts.iter().any(|f| f.completes && f.occurred_on == d) {
            return if d <= due {
                DeadlineState::DoneOnTime
            } else {
                DeadlineState::DoneLate
            };
        }
        d = d.succ_opt().unwrap();
    }
    if at <= due {
        DeadlineState::NotDoneWithinDeadline
    } else {
        DeadlineState::NotDoneOverdue
    }
}

// ---------------------------------------------------------------------------------------------
// Generators.

fn per() -> impl Strategy<Value = Per> {
    prop::sample::select(Per::ALL.to_vec())
}

/// Counts and quantities are small multiples of ½, so every sum is exact in any order.
fn halves(max: u32) -> impl Strategy<Value = f64> {
    (0..=max).prop_map(|n| f64::from(n) / 2.0)
}

fn target() -> impl Strategy<Value = Target> {
    (per(), halves(8).prop_filter("count > 0", |c| *c > 0.0))
        .prop_map(|(per, count)| Target::new(count, per, "tin"))
}

#[derive(Debug, Clone)]
struct Case {
    window: Window,
    grace: u32,
    facts: Vec<ActivityFact>,
    at: NaiveDate,
    due: NaiveDate,
}

fn case() -> impl Strategy<Value = Case> {
    (0i64..2200, 0i64..500, prop::bool::weighted(0.2), 0u32..15).prop_flat_map(
        |(from, len, open, grace)| {
            let fact = (
                from - 60..from + len + 60,
                -3i64..40,
                halves(6),
                prop::bool::weighted(0.15),
            )
                .prop_map(|(occurred, delay, quantity, completes)| ActivityFact {
                    occurred_on: day(occurred),
                    recorded_on: day(occurred + delay),
                    quantity,
                    completes,
                });
            (
                prop::collection::vec(fact, 0..25),
                from - 200..from + len + 400,
                from - 10..from + len + 10,
            )
                .prop_map(move |(facts, at, due)| Case {
                    window: Window {
                        from: day(from),
                        to: (!open).then(|| day(from + len)),
                    },
                    grace,
                    facts,
                    at: day(at),
                    due: day(due),
                })
        },
    )
}

fn assert_rates_sane(t: &Tally) {
    assert!(t.on_time <= t.met && t.met <= t.ended);
    for rate in [t.reporting_rate(), t.on_time_rate()].into_iter().flatten() {
        assert!((0.0..=1.0).contains(&rate));
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1000, ..ProptestConfig::default() })]

    #[test]
    fn periods_agree_with_the_day_by_day_model(offset in -800i64..3000, per in per()) {
        let d = day(offset);
        let Some(p) = Period::containing(per, d) else {
            prop_assert_eq!(per, Per::Plan);
            return Ok(());
        };
        prop_assert_eq!(p, naive_period(per, d));
        prop_assert_eq!(p.kind(), Some(per));
        let next = p.next(per).unwrap();
        let prev = p.prev(per).unwrap();
        prop_assert_eq!(next.start, p.end + Duration::days(1));
        prop_assert_eq!(prev.end, p.start - Duration::days(1));
        prop_assert_eq!(prev.next(per), Some(p));
        if per == Per::Week {
            let w = d.iso_week();
            prop_assert_eq!(p.label(), format!("Tuần {:02}/{}", w.week(), w.year()));
        }
    }

    #[test]
    fn overlapping_periods_tile_the_window(from in 0i64..2000, len in 0i64..400, per in per()) {
        let (from, to) = (day(from), day(from + len));
        let periods: Vec<Period> = Period::overlapping(per, from, to).collect();
        if per == Per::Plan {
            prop_assert!(periods.is_empty());
            return Ok(());
        }
        prop_assert!(periods.first().unwrap().contains(from));
        prop_assert!(periods.last().unwrap().contains(to));
        for pair in periods.windows(2) {
            prop_assert_eq!(pair[0].end + Duration::days(1), pair[1].start);
        }
        let window = Period { start: from, end: to };
        for p in &periods {
            prop_assert_eq!(Some(*p), Period::containing(per, p.start));
            prop_assert!(p.overlaps(&window));
        }
    }

    #[test]
    fn engine_matches_the_naive_model(t in target(), c in case()) {
        let engine = evaluate_target_facts(&t, c.window, c.grace, &c.facts, c.at);
        let naive = naive_target(&t, c.window, c.grace, &c.facts, c.at);
        prop_assert_eq!(&engine, &naive);
        let tally = engine.tally();
        assert_rates_sane(&tally);
        prop_assert_eq!(engine.reporting_rate, tally.reporting_rate());
        prop_assert_eq!(tally.statuses.total() as usize, engine.periods.len());
        if let Some(pace) = engine.pace {
            prop_assert!(pace.expected_by_date >= 0.0 && pace.expected_by_date <= t.count);
        }
        prop_assert_eq!(
            deadline_state(c.due, done_on(&c.facts), c.at),
            naive_deadline(c.due, &c.facts, c.at)
        );
    }

    #[test]
    fn store_buckets_give_the_same_report_as_raw_facts(
        targets in prop::collection::vec(target(), 0..4),
        c in case(),
        order in any::<prop::sample::Index>(),
        junk in prop::collection::vec(0usize..25, 0..4),
    ) {
        let spec = AssignmentSpec {
            targets,
            due: Some(c.due),
            window: c.window,
            grace_days: c.grace,
        };
        // Record in a rotated order, plus some activities recorded then deleted again.
        let mut facts = c.facts.clone();
        if !facts.is_empty() {
            let k = order.index(facts.len());
            facts.rotate_left(k);
        }
        let mut live = Aggregates::default();
        for (i, f) in facts.iter().enumerate() {
            live.record(&spec, f);
            if junk.contains(&i) {
                let extra = ActivityFact { quantity: 3.0, completes: false, ..*f };
                for per in spec.pers() {
                    if let Some(inc) = increment(per, spec.grace_days, &extra) {
                        apply_increment(live.buckets.entry(per).or_default(), inc);
                        apply_increment(live.buckets.entry(per).or_default(), inc.reversed());
                    }
                }
            }
        }
        let from_store = evaluate_assignment(&spec, &live, c.at);
        let from_facts = evaluate_assignment_facts(&spec, &c.facts, c.at);
        prop_assert_eq!(&from_store, &from_facts);
        // And each target report is exactly the single-target evaluation.
        for (t, r) in spec.targets.iter().zip(&from_facts.targets) {
            prop_assert_eq!(r, &evaluate_target_facts(t, c.window, c.grace, &c.facts, c.at));
        }
        let tally = from_facts.tally();
        assert_rates_sane(&tally);
        prop_assert_eq!(tally.deadlines.total(), 1);
        prop_assert_eq!(tally, from_facts.targets.iter().map(TargetReport::tally).sum::<Tally>()
            + Tally { deadlines: DeadlineCounts::of(from_facts.deadline.unwrap()), activity_count: c.facts.len() as u64, ..Tally::default() });
    }

    #[test]
    fn roll_ups_equal_the_tally_of_the_union(
        items in prop::collection::vec((0u32..12, target(), case()), 0..10),
        parents in prop::collection::vec(any::<prop::sample::Index>(), 12),
    ) {
        // A random forest over units 0..12: the parent of k is some unit below k, or none.
        let parent_of = |k: &u32| -> Option<u32> {
            if *k == 0 { return None; }
            let p = parents[*k as usize].index(*k as usize + 1) as u32;
            (p < *k).then_some(p)
        };
        let tallies: Vec<(u32, Tally)> = items
            .iter()
            .map(|(unit, t, c)| (*unit, evaluate_target_facts(t, c.window, c.grace, &c.facts, c.at).tally()))
            .collect();
        let by_unit: BTreeMap<u32, Tally> = rollup_tree(tallies.clone(), parent_of);
        for unit in 0u32..12 {
            // Brute force: the items whose unit has `unit` on its ancestor chain.
            let union: Tally = tallies
                .iter()
                .filter(|(u, _)| {
                    let mut cur = Some(*u);
                    while let Some(x) = cur {
                        if x == unit { return true; }
                        cur = parent_of(&x);
                    }
                    false
                })
                .map(|(_, t)| *t)
                .sum();
            let got = by_unit.get(&unit).copied().unwrap_or_default();
            prop_assert_eq!(got, union);
            assert_rates_sane(&got);
            if let Some(rate) = got.reporting_rate() {
                prop_assert_eq!(rate, union.met as f64 / union.ended as f64);
            }
        }
        // Summing in any grouping gives the same total.
        let all: Tally = tallies.iter().map(|(_, t)| *t).sum();
        let (evens, odds): (Vec<_>, Vec<_>) = tallies.iter().partition(|(u, _)| u % 2 == 0);
        let grouped = evens.iter().map(|(_, t)| *t).sum::<Tally>() + odds.iter().map(|(_, t)| *t).sum::<Tally>();
        prop_assert_eq!(grouped, all);
        let roots: Tally = by_unit.iter().filter(|(k, _)| parent_of(k).is_none()).map(|(_, t)| *t).sum();
        prop_assert_eq!(roots, all);
    }
}
