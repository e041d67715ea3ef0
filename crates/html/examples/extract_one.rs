//! Prints what `extract` finds in one HTML file: `cargo run -p newsgraph-html --example extract_one -- page.html [url]`

fn main() {
    let mut args = std::env::args().skip(1);
    let Some(path) = args.next() else {
        eprintln!("usage: extract_one FILE [URL]");
        std::process::exit(2);
    };
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("cannot read {path}: {e}"));
    let html = String::from_utf8_lossy(&bytes);
    let opts = newsgraph_html::ExtractOptions { url: args.next(), ..Default::default() };
    match newsgraph_html::extract(&html, &opts) {
        Ok(e) => {
            println!("title:     {:?}", e.title);
            println!("authors:   {:?}", e.authors);
            println!("published: {:?}", e.published);
            println!("image:     {:?}", e.image_url);
            println!("canonical: {:?}", e.canonical_url);
            println!("language:  {:?}", e.language);
            println!("site:      {:?}", e.site_name);
            println!("desc:      {:?}", e.description);
            println!("---");
            for b in &e.blocks {
                let h = if b.heading { "## " } else { "" };
                println!("[{}] {h}{}", b.source_offset, b.text);
            }
        }
        Err(e) => println!("error: {e}"),
    }
}
