//! QR codes: encoding ticket text, and reading it back from a picture (gate camera, tests).

use std::path::Path;

use qrcode::canvas::{Canvas, MaskPattern};
use qrcode::{Color, EcLevel, QrCode};

use crate::error::ImageDecodeError;

/// Error correction level of ticket QR codes: Q (25 % of the code can be lost). A version-1
/// ticket at Q is a 57 × 57 version-10 code at most; level M would save one or two versions but
/// tickets get folded, creased and printed on worn thermal heads. See `docs/ticket-format.md`.
pub const QR_EC_LEVEL: EcLevel = EcLevel::Q;

/// The QR code for a ticket's text (base45, so the encoder uses alphanumeric mode).
pub fn qr_code(text: &str) -> Result<QrCode, qrcode::types::QrError> {
    QrCode::with_error_correction_level(text.as_bytes(), QR_EC_LEVEL)
}

/// Writes `text` as a QR code PNG (8 pixels a module, a 4-module quiet zone): an account
/// card to send with a confirmation email, or to show on a phone.
pub fn qr_png(text: &str, path: &Path) -> std::io::Result<()> {
    let code =
        qr_code(text).map_err(|e| std::io::Error::other(format!("no QR for this text: {e}")))?;
    let (width, colors) = (code.width(), code.to_colors());
    let (scale, quiet) = (8u32, 4u32);
    let side = (width as u32 + 2 * quiet) * scale;
    let img = image::GrayImage::from_fn(side, side, |x, y| {
        let (cx, cy) = (
            (x / scale).wrapping_sub(quiet),
            (y / scale).wrapping_sub(quiet),
        );
        let dark = (cx as usize) < width
            && (cy as usize) < width
            && colors[cy as usize * width + cx as usize] == Color::Dark;
        image::Luma([if dark { 0 } else { 255 }])
    });
    img.save(path)
        .map_err(|e| std::io::Error::other(format!("{}: {e}", path.display())))
}

/// A ticket's QR code as modules: `dark[row * width + col]`.
pub(crate) struct QrModules {
    pub(crate) dark: Vec<bool>,
    pub(crate) width: usize,
}

const MASKS: [MaskPattern; 8] = [
    MaskPattern::Checkerboard,
    MaskPattern::HorizontalLines,
    MaskPattern::VerticalLines,
    MaskPattern::DiagonalLines,
    MaskPattern::LargeCheckerboard,
    MaskPattern::Fields,
    MaskPattern::Diamonds,
    MaskPattern::Meadow,
];

/// The same code as [`qr_code`] builds (same segments, version and error correction), with the
/// mask chosen by [`penalty`] below: `qrcode`'s own mask scoring took a third of the time of
/// rendering a ticket PDF. Any of the eight masks gives a valid code; the penalty (ISO/IEC 18004
/// §7.8.3) only steers away from patterns that confuse readers.
pub(crate) fn qr_modules(text: &str) -> Result<QrModules, qrcode::types::QrError> {
    let bits = qrcode::bits::encode_auto(text.as_bytes(), QR_EC_LEVEL)?;
    let version = bits.version();
    let (data, ec) = qrcode::ec::construct_codewords(&bits.into_bytes(), version, QR_EC_LEVEL)?;
    let mut canvas = Canvas::new(version, QR_EC_LEVEL);
    canvas.draw_all_functional_patterns();
    canvas.draw_data(&data, &ec);
    let width = version.width() as usize;
    let mut best: Option<(u32, Vec<bool>)> = None;
    for mask in MASKS {
        let mut c = canvas.clone();
        c.apply_mask(mask);
        let dark: Vec<bool> = c
            .into_colors()
            .into_iter()
            .map(|m| m == Color::Dark)
            .collect();
        let score = penalty(&dark, width);
        if best.as_ref().is_none_or(|(s, _)| score < *s) {
            best = Some((score, dark));
        }
    }
    let (_, dark) = best.expect("eight masks were scored");
    Ok(QrModules { dark, width })
}

/// Penalty of a masked symbol, ISO/IEC 18004 §7.8.3: runs of five or more (N1 = 3), 2 × 2 blocks
/// (N2 = 3), finder-like 1:1:3:1:1 patterns with four light modules on a side (N3 = 40), and
/// imbalance between dark and light (N4 = 10 per 5 %). Symbols up to 64 modules wide (version
/// 12; tickets are version 9 or 10) are scored a row at a time in the bits of a `u64`.
fn penalty(dark: &[bool], n: usize) -> u32 {
    if n > 64 {
        return penalty_by_module(dark, n);
    }
    let mut rows = vec![0u64; n];
    let mut cols = vec![0u64; n];
    for r in 0..n {
        for c in 0..n {
            if dark[r * n + c] {
                rows[r] |= 1 << c;
                cols[c] |= 1 << r;
            }
        }
    }
    let all = if n == 64 { u64::MAX } else { (1u64 << n) - 1 };
    let mut score: u32 = rows
        .iter()
        .chain(&cols)
        .map(|&l| line_bits_penalty(l, all))
        .sum();
    // N2: bit c set when the 2 × 2 block at columns c, c+1 of rows r, r+1 is of one colour.
    let pairs = all >> 1;
    for w in rows.windows(2) {
        let (a, b) = (w[0], w[1]);
        let same_h = !(a ^ (a >> 1));
        let same_v = !(a ^ b);
        score += 3 * (same_h & same_v & (same_v >> 1) & pairs).count_ones();
    }
    let dark_count: usize = rows.iter().map(|r| r.count_ones() as usize).sum();
    let percent = dark_count * 100 / (n * n);
    score + 10 * (percent.abs_diff(50) / 5) as u32
}

/// N1 and N3 along one row or column held as bits (bit i = module i).
fn line_bits_penalty(line: u64, all: u64) -> u32 {
    // N1: bit i of `same` says module i equals module i+1; bit i of `five` that modules i..i+4
    // are one colour. A run of L ≥ 5 sets L−4 bits of `five` and scores 3 + (L−5): so the count
    // of those bits plus 2 per run.
    let same = !(line ^ (line >> 1)) & (all >> 1);
    let five = same & (same >> 1) & (same >> 2) & (same >> 3);
    let runs = five & !(five << 1);
    let mut score = five.count_ones() + 2 * runs.count_ones();
    // N3: bit c set when modules c..c+7 read dark, light, dark ×3, light, dark.
    const FINDER: u64 = 0b1011101;
    let starts = all >> 6;
    let mut hits = starts;
    for k in 0..7 {
        let shifted = line >> k;
        hits &= if (FINDER >> k) & 1 == 1 {
            shifted
        } else {
            !shifted
        };
    }
    while hits != 0 {
        let c = hits.trailing_zeros() as usize;
        hits &= hits - 1;
        // Four light modules before and after; outside the symbol counts as light.
        let before = (0b1111u64 << c) >> 4;
        let after = (0b1111u64 << (c + 7).min(63)) & all;
        let after = if c + 7 >= 64 { 0 } else { after };
        score += 40 * (u32::from(line & before == 0) + u32::from(line & after == 0));
    }
    score
}

/// The same penalty module by module: for symbols wider than 64 modules, and the reference the
/// bit version is tested against.
fn penalty_by_module(dark: &[bool], n: usize) -> u32 {
    // Rows, then columns (transposed), so both directions are read as contiguous slices.
    let mut cols = vec![false; n * n];
    for r in 0..n {
        for c in 0..n {
            cols[c * n + r] = dark[r * n + c];
        }
    }
    let mut score = 0u32;
    for lines in [dark, &cols[..]] {
        for line in lines.chunks_exact(n) {
            score += line_penalty(line);
        }
    }
    // N2: 2 × 2 blocks of one colour.
    for (top, bottom) in dark.chunks_exact(n).zip(dark.chunks_exact(n).skip(1)) {
        for c in 0..n - 1 {
            let v = top[c];
            if top[c + 1] == v && bottom[c] == v && bottom[c + 1] == v {
                score += 3;
            }
        }
    }
    // N4: balance.
    let dark_count = dark.iter().filter(|&&d| d).count();
    let percent = dark_count * 100 / dark.len();
    score + 10 * (percent.abs_diff(50) / 5) as u32
}

/// N1 (runs of five or more) and N3 (1:1:3:1:1 with four light modules before or after; outside
/// the symbol counts as light) along one row or column.
fn line_penalty(line: &[bool]) -> u32 {
    const FINDER: [bool; 7] = [true, false, true, true, true, false, true];
    let n = line.len();
    let mut score = 0;
    let mut run = 1;
    for i in 1..n {
        if line[i] == line[i - 1] {
            run += 1;
        } else {
            if run >= 5 {
                score += 3 + (run - 5);
            }
            run = 1;
        }
    }
    if run >= 5 {
        score += 3 + (run - 5);
    }
    let light = |i: usize| line.get(i).is_none_or(|d| !d);
    for (start, window) in line.windows(7).enumerate() {
        if window == FINDER {
            let before = (1..=4).all(|k| start < k || light(start - k));
            let after = (7..11).all(|k| light(start + k));
            score += 40 * (u32::from(before) + u32::from(after));
        }
    }
    score
}

/// Reads the first QR code found in a PNG or JPEG file.
pub fn decode_qr_image(path: &Path) -> Result<String, ImageDecodeError> {
    let img = image::open(path).map_err(|e| ImageDecodeError::Image(format!("{path:?}: {e}")))?;
    decode_qr_luma(&img.to_luma8())
}

/// Reads the first QR code found in a greyscale image. `rqrr` misreads some module sizes that
/// fall between whole pixels (a 46 mm code at 150 dpi is 4.4 px a module), so when the image as
/// given yields nothing, it is tried again at a few other scales.
pub fn decode_qr_luma(img: &image::GrayImage) -> Result<String, ImageDecodeError> {
    let mut last_err = match decode_once(img) {
        Ok(text) => return Ok(text),
        Err(e) => e,
    };
    let (w, h) = img.dimensions();
    for scale in [0.5f32, 0.75, 1.5, 2.0] {
        let (sw, sh) = ((w as f32 * scale) as u32, (h as f32 * scale) as u32);
        if sw < 21 || sh < 21 || sw > 8000 || sh > 8000 {
            continue;
        }
        let scaled = image::imageops::resize(img, sw, sh, image::imageops::FilterType::Triangle);
        match decode_once(&scaled) {
            Ok(text) => return Ok(text),
            Err(ImageDecodeError::NoQrCode) => {}
            Err(e) => last_err = e,
        }
    }
    Err(last_err)
}

fn decode_once(img: &image::GrayImage) -> Result<String, ImageDecodeError> {
    let mut prepared = rqrr::PreparedImage::prepare(img.clone());
    let grids = prepared.detect_grids();
    let mut last_err = None;
    for g in grids {
        match g.decode() {
            Ok((_, text)) => return Ok(text),
            Err(e) => last_err = Some(e.to_string()),
        }
    }
    Err(last_err.map_or(ImageDecodeError::NoQrCode, ImageDecodeError::Unreadable))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn picture(m: &QrModules) -> image::GrayImage {
        let scale = 4;
        let side = (m.width + 8) * scale;
        image::GrayImage::from_fn(side as u32, side as u32, |x, y| {
            let (c, r) = (x as usize / scale, y as usize / scale);
            let inside = (4..m.width + 4).contains(&c) && (4..m.width + 4).contains(&r);
            let dark = inside && m.dark[(r - 4) * m.width + (c - 4)];
            image::Luma([if dark { 0 } else { 255 }])
        })
    }

    #[test]
    fn codes_with_our_mask_choice_read_back_and_match_qrcode_s_version() {
        for text in [
            "A",
            "HELLO WORLD",
            &"RSX-9 $%*+-./:".repeat(12),
            &"0".repeat(207),
        ] {
            let m = qr_modules(text).unwrap();
            let reference = qr_code(text).unwrap();
            assert_eq!(
                m.width,
                reference.width(),
                "same version as qrcode picks for {text:?}"
            );
            assert_eq!(
                decode_qr_luma(&picture(&m)).unwrap(),
                text,
                "the code reads back"
            );
        }
    }

    proptest::proptest! {
        #[test]
        fn the_bitwise_penalty_equals_the_module_by_module_one(
            n in 21usize..=64,
            seed in proptest::collection::vec(proptest::prelude::any::<bool>(), 64 * 64),
        ) {
            let dark = &seed[..n * n];
            proptest::prop_assert_eq!(penalty(dark, n), penalty_by_module(dark, n));
        }
    }

    #[test]
    fn the_penalty_counts_runs_blocks_and_balance_as_the_standard_says() {
        // A 5 × 5 all-dark symbol: 10 runs of 5 (3 each), 16 2×2 blocks (3 each), 100 % dark.
        let all_dark = vec![true; 25];
        assert_eq!(penalty(&all_dark, 5), 10 * 3 + 16 * 3 + 10 * 10);
    }
}
