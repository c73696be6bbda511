//! Parse time of a real plan: `cargo bench -p kehoach-plan --bench parse`.

const QUANG_NAM: &[u8] = include_bytes!("../tests/fixtures/corpus/quangnam-2024.txt");
const TAM_KY: &[u8] = include_bytes!("../tests/fixtures/corpus/tamky-2021-2025.md");

fn main() {
    divan::main();
}

#[divan::bench]
fn parse_quangnam_txt() -> kehoach_plan::Plan {
    kehoach_plan::parse(divan::black_box(QUANG_NAM), "quangnam-2024.txt")
        .expect("corpus plan parses")
}

#[divan::bench]
fn parse_tamky_md() -> kehoach_plan::Plan {
    kehoach_plan::parse(divan::black_box(TAM_KY), "tamky-2021-2025.md").expect("corpus plan parses")
}
