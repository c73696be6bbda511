//! Units registry speed: loading (parse + index) and resolving one text.
//! Run: `cargo bench -p kehoach-core --bench units`.

use std::sync::LazyLock;

use chrono::NaiveDate;
use kehoach_core::units::{Registry, UNITS_DATA, Unit, parse_units_data};

fn main() {
    divan::main();
}

fn on() -> NaiveDate {
    NaiveDate::from_ymd_opt(2024, 6, 1).unwrap()
}

static REG: LazyLock<(Registry, Unit)> = LazyLock::new(|| {
    let mut r = Registry::builtin().unwrap();
    r.add_standard_agencies("49");
    let ctx = r.get("49", on()).unwrap().clone();
    (r, ctx)
});

/// Parse the shipped data file only.
#[divan::bench]
fn parse_data() -> usize {
    parse_units_data(divan::black_box(UNITS_DATA))
        .unwrap()
        .len()
}

/// Parse and index the shipped units (the registry the app starts from).
#[divan::bench]
fn load_builtin() -> usize {
    Registry::builtin().unwrap().units().len()
}

/// Load, then add one province's agencies (Quảng Nam, all dates).
#[divan::bench(sample_count = 20)]
fn load_builtin_with_one_province_agencies() -> usize {
    let mut r = Registry::builtin().unwrap();
    r.add_standard_agencies("49");
    r.units().len()
}

/// Load, then add every province's, district's and commune's agencies.
#[divan::bench(sample_count = 5)]
fn load_builtin_with_all_agencies() -> usize {
    let mut r = Registry::builtin().unwrap();
    r.add_all_standard_agencies();
    r.units().len()
}

#[divan::bench(args = [
    "Sở Thông tin và Truyền thông",
    "Sở Văn hóa, Thể thao và Du lịch, Sở TT&TT và Đài PT-TH tỉnh; các cơ quan, đơn vị liên quan",
    "UBND các huyện, thị xã, thành phố",
    "các Sở, Ban, ngành, đoàn thể, UBND cấp huyện, UBND cấp xã",
])]
fn resolve(text: &str) -> usize {
    let (r, ctx) = &*REG;
    r.resolve(divan::black_box(text), ctx, on()).units.len()
}

#[divan::bench]
fn search_da_nang() -> usize {
    let (r, _) = &*REG;
    r.search(divan::black_box("da nang"), on()).len()
}
