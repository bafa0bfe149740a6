//! Writes the 18-ticket pack held by names in every script (`demo::WORLD_HOLDERS`), A4 and
//! thermal, into the directory given (default `.`), and says which font files were used.
//! The images in `docs/` come from these PDFs through `pdftoppm -r 100 -png`.

use guichet_tickets::demo::world_pack;
use guichet_tickets::{font_files, render_order, DeviceKey, Layout};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::env::args().nth(1).unwrap_or_else(|| ".".into());
    let key = DeviceKey::from_seed([7; 32]);
    let order = world_pack(&key, "2024-05-11T10:00:00Z".parse()?);
    let faces: Vec<_> = order.into_iter().map(|t| t.face).collect();
    for (layout, name) in [
        (Layout::A4, "world-a4.pdf"),
        (Layout::Thermal, "world-thermal.pdf"),
    ] {
        let pdf = render_order(&faces, layout, "Guichet: names in every script")?;
        let path = std::path::Path::new(&dir).join(name);
        std::fs::write(&path, &pdf)?;
        println!("{}: {} bytes", path.display(), pdf.len());
    }
    for f in font_files() {
        println!("font: {f}");
    }
    Ok(())
}
