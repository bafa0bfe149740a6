//! A page under construction: millimetres in, printpdf operations out (y grows upwards).

use crate::qr::QrModules;
use printpdf::{
    Codepoint, Color, DictItem, ExternalStream, ExternalXObject, Greyscale, Line, LinePoint, Op,
    PaintMode, PdfFontHandle, Point, Pt, Rect, Rgb, TextItem, TextMatrix, XObjectId,
    XObjectTransform,
};

use super::embed::DocFonts;
use super::font;

const PT_PER_MM: f32 = 72.0 / 25.4;

fn pt(mm: f32) -> Pt {
    Pt(mm * PT_PER_MM)
}

/// Text weight.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
pub(crate) enum Weight {
    Regular = 0,
    Bold = 1,
}

/// Horizontal anchor of a text line.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Align {
    Left,
    Center,
    Right,
}

/// Colours the layouts use.
#[derive(Clone, Copy)]
pub(crate) enum Ink {
    Black,
    Grey,
    White,
    Navy,
    Gold,
}

impl Ink {
    fn color(self) -> Color {
        match self {
            Ink::Black => Color::Greyscale(Greyscale::new(0.0, None)),
            Ink::Grey => Color::Greyscale(Greyscale::new(0.38, None)),
            Ink::White => Color::Greyscale(Greyscale::new(1.0, None)),
            Ink::Navy => Color::Rgb(Rgb::new(0.05, 0.11, 0.33, None)),
            Ink::Gold => Color::Rgb(Rgb::new(0.78, 0.64, 0.33, None)),
        }
    }
}

pub(crate) struct Canvas<'g> {
    pub(crate) ops: Vec<Op>,
    /// The document's fonts: which faces and glyphs the pages use, and lines shaped so far.
    fonts: &'g mut DocFonts,
}

impl<'g> Canvas<'g> {
    pub(crate) fn new(fonts: &'g mut DocFonts) -> Self {
        Canvas {
            ops: Vec::with_capacity(256),
            fonts,
        }
    }

    /// Draws one line of text with its baseline at `y`; if it is wider than `max_w` mm it is
    /// set smaller (down to 70 %), then cut with an ellipsis. Widths are the shaped advances.
    /// Returns the width used, in mm.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn text(
        &mut self,
        x: f32,
        y: f32,
        size: f32,
        weight: Weight,
        ink: Ink,
        align: Align,
        max_w: f32,
        text: &str,
    ) -> f32 {
        let max_pt = max_w * PT_PER_MM;
        let mut line = self.fonts.shape(text, weight);
        let mut size = size;
        let min_size = size * 0.7;
        while line.width * size > max_pt && size > min_size {
            size -= 0.25;
        }
        if line.width * size > max_pt {
            let mut chars: Vec<char> = text.chars().collect();
            while !chars.is_empty() {
                chars.pop();
                let cut = chars.iter().collect::<String>().trim_end().to_string() + "…";
                line = self.fonts.shape(&cut, weight);
                if line.width * size <= max_pt {
                    break;
                }
            }
        }
        let w_pt = line.width * size;
        let x_pt = match align {
            Align::Left => x * PT_PER_MM,
            Align::Center => x * PT_PER_MM - w_pt / 2.0,
            Align::Right => x * PT_PER_MM - w_pt,
        };
        self.ops.push(Op::StartTextSection);
        self.ops.push(Op::SetFillColor { col: ink.color() });
        let y_pt = y * PT_PER_MM;
        let mut pen = x_pt;
        for run in &line.runs {
            let Some(face) = font::face(run.face) else {
                continue;
            };
            let id = self.fonts.font_id(run.face);
            self.ops.push(Op::SetFont {
                font: PdfFontHandle::External(id),
                size: Pt(size),
            });
            // Glyphs on one baseline go in one `TJ`, each followed by the adjustment that
            // moves the viewer's pen (which advances by the `/W` width) to where the shaper
            // put the next glyph. Adjustments under `SLACK` (0.004 em: 0.03 mm at 22 pt) are left out (the viewer's pen
            // is tracked, so they cannot add up): `/W` widths are whole thousandths of an
            // em and most glyphs would otherwise carry a fraction. A glyph raised or lowered
            // (a mark) starts a new segment.
            const SLACK: f32 = 4.0;
            let mut seg: Vec<Codepoint> = Vec::new();
            let mut seg_y = f32::NAN;
            let mut last = (0.0f32, 0.0f32); // where the viewer drew the last glyph, its /W
            for g in &run.glyphs {
                self.fonts.note(run.face, g.gid, &g.text);
                let gx = pen + g.dx * size;
                let gy = y_pt + g.dy * size;
                let drawn_at = if seg.is_empty() || gy != seg_y {
                    self.flush(&mut seg);
                    self.ops.push(Op::SetTextMatrix {
                        matrix: TextMatrix::Translate(Pt(gx), Pt(gy)),
                    });
                    seg_y = gy;
                    gx
                } else {
                    let mut n = last.1 - (gx - last.0) * 1000.0 / size;
                    n = if n.abs() < SLACK { 0.0 } else { n.round() };
                    if let Some(prev) = seg.last_mut() {
                        prev.offset = n;
                    }
                    last.0 + (last.1 - n) * size / 1000.0
                };
                seg.push(Codepoint::new(g.gid, 0.0));
                last = (drawn_at, face.pdf_width(g.gid));
                pen += g.advance * size;
            }
            self.flush(&mut seg);
        }
        self.ops.push(Op::EndTextSection);
        w_pt / PT_PER_MM
    }

    fn flush(&mut self, seg: &mut Vec<Codepoint>) {
        if !seg.is_empty() {
            self.ops.push(Op::ShowText {
                items: vec![TextItem::GlyphIds(std::mem::take(seg))],
            });
        }
    }

    pub(crate) fn fill_rect(&mut self, x: f32, y: f32, w: f32, h: f32, ink: Ink) {
        let mut rect = Rect::from_xywh(pt(x), pt(y), pt(w), pt(h));
        rect.mode = Some(PaintMode::Fill);
        self.ops.push(Op::SetFillColor { col: ink.color() });
        self.ops.push(Op::DrawRectangle { rectangle: rect });
    }

    /// A thin line from (x1, y1) to (x2, y2), dashed or not.
    pub(crate) fn line(&mut self, x1: f32, y1: f32, x2: f32, y2: f32, ink: Ink, dashed: bool) {
        self.ops.push(Op::SaveGraphicsState);
        self.ops.push(Op::SetOutlineColor { col: ink.color() });
        self.ops.push(Op::SetOutlineThickness { pt: Pt(0.6) });
        if dashed {
            let dash = printpdf::LineDashPattern::new(0.0, &[3.0, 2.0]);
            self.ops.push(Op::SetLineDashPattern { dash });
        }
        let p = |x, y| LinePoint {
            p: Point { x: pt(x), y: pt(y) },
            bezier: false,
        };
        let line = Line {
            points: vec![p(x1, y1), p(x2, y2)],
            is_closed: false,
        };
        self.ops.push(Op::DrawLine { line });
        self.ops.push(Op::RestoreGraphicsState);
    }

    /// The QR code with its lower-left corner at (x, y), `size` mm wide including the four-module
    /// quiet zone, which is painted white so a coloured background cannot eat it. The modules
    /// are one 1-bit image (see [`qr_image`]) stretched over the code's square: a few hundred
    /// bytes instead of a path of rectangles, and no seams between neighbouring modules.
    pub(crate) fn qr(&mut self, x: f32, y: f32, size: f32, image: XObjectId, width: usize) {
        const QUIET: usize = 4;
        let module = size / (width + 2 * QUIET) as f32;
        self.fill_rect(x, y, size, size, Ink::White);
        let side = pt(width as f32 * module);
        let inset = QUIET as f32 * module;
        // An image fills the unit square, its first row at the top; scale, then move.
        self.ops.push(Op::UseXobject {
            id: image,
            transform: XObjectTransform {
                scale_x: Some(side.0),
                scale_y: Some(side.0),
                translate_x: Some(pt(x + inset)),
                translate_y: Some(pt(y + inset)),
                no_auto_scale: true,
                ..Default::default()
            },
        });
    }
}

/// The modules as a PDF image XObject: `DeviceGray`, 1 bit a module (0 = black), rows padded to
/// whole bytes, top row first. A version-9 code is 53 rows of 7 bytes, ~370 bytes before deflate.
/// Viewers and printers draw image samples as hard-edged squares when `/Interpolate` is off (the
/// default), which is what a QR reader wants.
pub(crate) fn qr_image(code: &QrModules) -> ExternalXObject {
    let n = code.width;
    let row_bytes = n.div_ceil(8);
    let mut samples = vec![0u8; row_bytes * n];
    for (row, bytes) in samples.chunks_exact_mut(row_bytes).enumerate() {
        for (col, &dark) in code.dark[row * n..(row + 1) * n].iter().enumerate() {
            if !dark {
                bytes[col / 8] |= 0x80 >> (col % 8);
            }
        }
    }
    let int = |v: usize| DictItem::Int(v as i64);
    let name = |s: &str| DictItem::Name(s.as_bytes().to_vec());
    let dict = [
        ("Type", name("XObject")),
        ("Subtype", name("Image")),
        ("Width", int(n)),
        ("Height", int(n)),
        ("ColorSpace", name("DeviceGray")),
        ("BitsPerComponent", int(1)),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    ExternalXObject {
        stream: ExternalStream {
            dict,
            content: samples,
            compress: true,
        },
        width: None,
        height: None,
        dpi: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_image_has_one_bit_a_module_zero_where_dark() {
        let code = crate::qr::qr_modules("GUICHET TEST 0123456789").unwrap();
        let n = code.width;
        let img = qr_image(&code);
        let row_bytes = n.div_ceil(8);
        assert_eq!(img.stream.content.len(), row_bytes * n);
        for row in 0..n {
            for col in 0..n {
                let byte = img.stream.content[row * row_bytes + col / 8];
                let white = byte & (0x80 >> (col % 8)) != 0;
                assert_eq!(white, !code.dark[row * n + col], "module ({col}, {row})");
            }
        }
    }
}
