//! Prints the plan extracted from a document: `cargo run -p kehoach-plan --example parse -- FILE
//! [--summary | --text]` (`--text`: the paragraphs the reader rebuilt, one per line).

fn main() {
    let mut args = std::env::args().skip(1);
    let Some(path) = args.next() else {
        eprintln!("usage: parse FILE [--summary]");
        std::process::exit(2);
    };
    let flag = args.next();
    let summary = flag.as_deref() == Some("--summary");
    let bytes = match std::fs::read(&path) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("{path}: {e}");
            std::process::exit(1);
        }
    };
    if flag.as_deref() == Some("--text") {
        match kehoach_plan::read_document(&bytes, &path) {
            Ok(doc) => doc.all_text().for_each(|t| println!("{t}")),
            Err(e) => {
                eprintln!("{path}: {e}");
                std::process::exit(1);
            }
        }
        return;
    }
    match kehoach_plan::parse(&bytes, &path) {
        Ok(plan) if summary => print!("{}", kehoach_plan::summary(&plan)),
        Ok(plan) => println!(
            "{}",
            serde_json::to_string_pretty(&plan).expect("plan serialises")
        ),
        Err(e) => {
            eprintln!("{path}: {e}");
            std::process::exit(1);
        }
    }
}
