//! A4 portrait, print-at-home: the ticket in the top half, a large QR, conditions below a cut
//! line.

use printpdf::XObjectId;

use super::canvas::{Align, Canvas, Ink, Weight};
use super::words::{date_time_en, date_time_fr, games_names, zone_names};
use super::TicketFace;

const LEFT: f32 = 15.0;
const RIGHT: f32 = 195.0;
const QR_SIZE: f32 = 78.0;
const TEXT_W: f32 = RIGHT - LEFT - QR_SIZE - 6.0;

fn field(c: &mut Canvas, x: f32, y: f32, w: f32, label: &str, value: &str, size: f32) {
    c.text(x, y, 7.0, Weight::Regular, Ink::Grey, Align::Left, w, label);
    c.text(
        x,
        y - 5.5,
        size,
        Weight::Bold,
        Ink::Black,
        Align::Left,
        w,
        value,
    );
}

/// The navy header band of A4 pages (tickets and the till's reports): "PARIS 2024" on the
/// left; on the right a French line in bold, its English under it, and a small line.
pub(super) fn band(c: &mut Canvas, fr: &str, en: &str, small: &str) {
    c.fill_rect(LEFT, 262.0, RIGHT - LEFT, 20.0, Ink::Navy);
    c.fill_rect(LEFT, 262.0, RIGHT - LEFT, 1.2, Ink::Gold);
    c.text(
        LEFT + 5.0,
        269.5,
        20.0,
        Weight::Bold,
        Ink::White,
        Align::Left,
        80.0,
        "PARIS 2024",
    );
    let right = |c: &mut Canvas, y: f32, size: f32, weight: Weight, text: &str| {
        c.text(
            RIGHT - 5.0,
            y,
            size,
            weight,
            Ink::White,
            Align::Right,
            90.0,
            text,
        );
    };
    right(c, 273.5, 10.0, Weight::Bold, fr);
    right(c, 268.0, 10.0, Weight::Regular, en);
    right(c, 264.0, 6.5, Weight::Regular, small);
}

pub(super) fn draw(c: &mut Canvas, t: &TicketFace, qr: (XObjectId, usize)) {
    let (games_fr, games_en) = games_names(t.games);
    band(c, games_fr, games_en, "E-BILLET · PRINT-AT-HOME TICKET");

    // Session.
    let full = RIGHT - LEFT;
    c.text(
        LEFT,
        249.0,
        22.0,
        Weight::Bold,
        Ink::Black,
        Align::Left,
        full,
        &t.sport,
    );
    c.text(
        LEFT,
        241.5,
        12.0,
        Weight::Regular,
        Ink::Black,
        Align::Left,
        full,
        &t.description,
    );
    if t.description_en != t.description {
        c.text(
            LEFT,
            237.0,
            9.0,
            Weight::Regular,
            Ink::Black,
            Align::Left,
            full,
            &t.description_en,
        );
    }
    let session = format!("Séance / Session {}", t.session_code);
    c.text(
        LEFT,
        232.6,
        7.5,
        Weight::Regular,
        Ink::Grey,
        Align::Left,
        full,
        &session,
    );
    c.line(LEFT, 230.0, RIGHT, 230.0, Ink::Grey, false);

    // Fields on the left, QR on the right.
    let z = &t.starts_at;
    let (zfr, zen) = zone_names(z);
    let x = LEFT;
    let mut y = 222.0;
    c.text(
        x,
        y,
        7.0,
        Weight::Regular,
        Ink::Grey,
        Align::Left,
        TEXT_W,
        "DATE ET HEURE / DATE AND TIME",
    );
    c.text(
        x,
        y - 5.5,
        12.0,
        Weight::Bold,
        Ink::Black,
        Align::Left,
        TEXT_W,
        &date_time_fr(z),
    );
    c.text(
        x,
        y - 10.5,
        9.0,
        Weight::Regular,
        Ink::Black,
        Align::Left,
        TEXT_W,
        &date_time_en(z),
    );
    let zone = format!("{zfr} / {zen}");
    c.text(
        x,
        y - 14.5,
        8.0,
        Weight::Regular,
        Ink::Grey,
        Align::Left,
        TEXT_W,
        &zone,
    );
    y -= 23.0;
    field(c, x, y, TEXT_W, "LIEU / VENUE", &t.venue, 12.0);
    let under = if t.venue_en.is_empty() || t.venue_en == t.venue {
        t.city.clone()
    } else {
        format!("{} · {}", t.venue_en, t.city)
    };
    c.text(
        x,
        y - 10.5,
        9.0,
        Weight::Regular,
        Ink::Black,
        Align::Left,
        TEXT_W,
        &under,
    );
    y -= 19.0;
    let half = TEXT_W / 2.0;
    field(
        c,
        x,
        y,
        half,
        "CATÉGORIE / CATEGORY",
        &t.category.to_string(),
        14.0,
    );
    field(c, x + half, y, half, "PRIX / PRICE", &t.price.fr(), 14.0);
    y -= 15.0;
    field(c, x, y, TEXT_W, "TITULAIRE / HOLDER", &t.holder_name, 14.0);
    y -= 15.0;
    field(
        c,
        x,
        y,
        half,
        "BILLET N° / TICKET NO.",
        &t.ticket_number,
        10.0,
    );
    field(
        c,
        x + half,
        y,
        half,
        "COMMANDE / ORDER",
        &t.order_code,
        10.0,
    );

    let qr_x = RIGHT - QR_SIZE;
    let qr_y = 222.0 + 4.0 - QR_SIZE;
    c.qr(qr_x, qr_y, QR_SIZE, qr.0, qr.1);
    let caption = "Présentez ce code à l'entrée / Show this code at the gate";
    let mid = qr_x + QR_SIZE / 2.0;
    c.text(
        mid,
        qr_y - 3.0,
        7.0,
        Weight::Regular,
        Ink::Grey,
        Align::Center,
        QR_SIZE,
        caption,
    );

    // Cut line and conditions.
    c.line(LEFT, 135.0, RIGHT, 135.0, Ink::Grey, true);
    c.text(
        LEFT,
        137.0,
        6.5,
        Weight::Regular,
        Ink::Grey,
        Align::Left,
        full,
        "✂  Conservez la partie haute / Keep the top part",
    );
    let rules = [
        (
            "Billet nominatif : une pièce d'identité peut être demandée à l'entrée.",
            "Personal ticket: photo ID may be requested at the entrance.",
        ),
        (
            "Seul le premier passage est accepté : ne partagez pas ce code.",
            "Only the first scan gets in: do not share this code.",
        ),
        (
            "Imprimez à 100 %, sans réduire ni recadrer le code.",
            "Print at 100 %; do not shrink or crop the code.",
        ),
        (
            "Un billet annulé ou réédité est refusé à l'entrée.",
            "A voided or reissued ticket is refused at the gate.",
        ),
    ];
    let mut y = 124.0;
    c.text(
        LEFT,
        y,
        11.0,
        Weight::Bold,
        Ink::Black,
        Align::Left,
        full,
        "Conditions",
    );
    y -= 8.0;
    for (fr, en) in rules {
        c.text(
            LEFT,
            y,
            9.0,
            Weight::Regular,
            Ink::Black,
            Align::Left,
            full,
            fr,
        );
        c.text(
            LEFT,
            y - 4.5,
            8.0,
            Weight::Regular,
            Ink::Grey,
            Align::Left,
            full,
            en,
        );
        y -= 12.0;
    }
    let footer = format!(
        "{} · {} · {}",
        t.order_code, t.ticket_number, t.session_code
    );
    c.text(
        LEFT,
        12.0,
        7.0,
        Weight::Regular,
        Ink::Grey,
        Align::Left,
        full,
        &footer,
    );
}
