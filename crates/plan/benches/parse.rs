//! Parse time of a real plan: `cargo bench -p kehoach-plan --bench parse`.

const QUANG_NAM: &[u8] = include_bytes!("../tests/fixtures/corpus/quangnam-2024.txt");
const TAM_KY: &[u8] = include_bytes!("../tests/fixtures/corpus/tamky-2021-2025.md");
/// A 33-page plan as LibreOffice prints it (three copies of the Quảng Nam plan and the Đắk Nông
/// one, as text): the PDF reader's whole path, from the file to the plan.
const PDF_33_PAGES: &[u8] = include_bytes!("plan-30-pages.pdf");

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

#[divan::bench]
fn parse_33_page_pdf() -> kehoach_plan::Plan {
    kehoach_plan::parse(divan::black_box(PDF_33_PAGES), "plan.pdf").expect("the PDF plan parses")
}
