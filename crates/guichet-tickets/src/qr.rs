//! QR codes: encoding ticket text, and reading it back from a picture (gate camera, tests).

use std::path::Path;

use qrcode::{EcLevel, QrCode};

use crate::error::ImageDecodeError;

/// Error correction level of ticket QR codes: Q (25 % of the code can be lost). A version-1
/// ticket at Q is a 57 × 57 version-10 code at most; level M would save one or two versions but
/// tickets get folded, creased and printed on worn thermal heads. See `docs/ticket-format.md`.
pub const QR_EC_LEVEL: EcLevel = EcLevel::Q;

/// The QR code for a ticket's text (base45, so the encoder uses alphanumeric mode).
pub fn qr_code(text: &str) -> Result<QrCode, qrcode::types::QrError> {
    QrCode::with_error_correction_level(text.as_bytes(), QR_EC_LEVEL)
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
