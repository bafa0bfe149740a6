//! Box-office thermal stock, 2 × 5.5 in, landscape: text on the left, QR on the right, black
//! only (thermal heads print one colour).

use printpdf::XObjectId;

use super::canvas::{Align, Canvas, Ink, Weight};
use super::words::{date_time_en, date_time_fr, games_names, zone_names};
use super::TicketFace;

const QR_SIZE: f32 = 46.0;
const X: f32 = 5.0;
const TEXT_W: f32 = 139.7 - QR_SIZE - 2.0 - X - 1.0;

fn field(c: &mut Canvas, x: f32, y: f32, w: f32, label: &str, value: &str) {
    c.text(
        x,
        y,
        5.0,
        Weight::Regular,
        Ink::Black,
        Align::Left,
        w,
        label,
    );
    c.text(
        x,
        y - 3.6,
        8.5,
        Weight::Bold,
        Ink::Black,
        Align::Left,
        w,
        value,
    );
}

pub(super) fn draw(c: &mut Canvas, t: &TicketFace, qr: (XObjectId, usize)) {
    let (games_fr, games_en) = games_names(t.games);
    let head = format!(
        "PARIS 2024 · {} / {}",
        games_fr.to_uppercase(),
        games_en.to_uppercase()
    );
    c.text(
        X,
        45.5,
        6.0,
        Weight::Bold,
        Ink::Black,
        Align::Left,
        TEXT_W,
        &head,
    );
    c.text(
        X,
        40.2,
        10.5,
        Weight::Bold,
        Ink::Black,
        Align::Left,
        TEXT_W,
        &t.sport,
    );
    c.text(
        X,
        36.6,
        7.0,
        Weight::Regular,
        Ink::Black,
        Align::Left,
        TEXT_W,
        &t.description,
    );
    if t.description_en != t.description {
        c.text(
            X,
            33.9,
            6.0,
            Weight::Regular,
            Ink::Black,
            Align::Left,
            TEXT_W,
            &t.description_en,
        );
    }
    let place = if t.venue_en.is_empty() || t.venue_en == t.venue {
        format!("{} · {}, {}", t.session_code, t.venue, t.city)
    } else {
        format!(
            "{} · {} / {}, {}",
            t.session_code, t.venue, t.venue_en, t.city
        )
    };
    c.text(
        X,
        31.0,
        6.0,
        Weight::Regular,
        Ink::Black,
        Align::Left,
        TEXT_W,
        &place,
    );

    let z = &t.starts_at;
    let (zfr, zen) = zone_names(z);
    c.text(
        X,
        27.6,
        7.5,
        Weight::Bold,
        Ink::Black,
        Align::Left,
        TEXT_W,
        &format!("{} ({zfr})", date_time_fr(z)),
    );
    c.text(
        X,
        24.6,
        6.0,
        Weight::Regular,
        Ink::Black,
        Align::Left,
        TEXT_W,
        &format!("{} ({zen})", date_time_en(z)),
    );
    c.line(X, 22.8, X + TEXT_W, 22.8, Ink::Black, false);

    let third = TEXT_W / 3.0;
    field(
        c,
        X,
        19.8,
        third,
        "CATÉGORIE / CATEGORY",
        &t.category.to_string(),
    );
    field(
        c,
        X + third,
        19.8,
        third * 2.0,
        "PRIX / PRICE",
        &t.price.fr(),
    );
    field(c, X, 12.4, TEXT_W, "TITULAIRE / HOLDER", &t.holder_name);
    field(
        c,
        X,
        5.6,
        third * 1.5,
        "BILLET N° / TICKET NO.",
        &t.ticket_number,
    );
    field(
        c,
        X + third * 1.5,
        5.6,
        third * 1.5,
        "COMMANDE / ORDER",
        &t.order_code,
    );

    c.qr(
        139.7 - QR_SIZE - 2.0,
        (50.8 - QR_SIZE) / 2.0,
        QR_SIZE,
        qr.0,
        qr.1,
    );
}
