//! `/favicon.ico`: a 16×16 icon drawn here (a white heart on the site's red), so browsers that ask
//! for it find one and no binary file is kept in the repository.

use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};

const SIZE: usize = 16;
/// The heart, row by row from the top; `#` is white.
const HEART: [&str; SIZE] = [
    "................",
    "................",
    "................",
    "...###....###...",
    "..#####..#####..",
    ".##############.",
    ".##############.",
    ".##############.",
    "..############..",
    "...##########...",
    "....########....",
    ".....######.....",
    "......####......",
    ".......##.......",
    "................",
    "................",
];

/// The icon file: one 32-bit image in the ICO container (a BMP without its file header).
pub fn ico() -> Vec<u8> {
    let pixels = SIZE * SIZE * 4;
    let mask = SIZE * 4; // 1 bit a pixel, rows padded to 4 bytes
    let image = 40 + pixels + mask;
    let mut out = Vec::with_capacity(6 + 16 + image);
    out.extend_from_slice(&[0, 0, 1, 0, 1, 0]); // reserved, type icon, one image
    out.extend_from_slice(&[SIZE as u8, SIZE as u8, 0, 0, 1, 0, 32, 0]);
    out.extend_from_slice(&(image as u32).to_le_bytes());
    out.extend_from_slice(&22u32.to_le_bytes()); // the image follows the directory
    out.extend_from_slice(&40u32.to_le_bytes());
    out.extend_from_slice(&(SIZE as i32).to_le_bytes());
    out.extend_from_slice(&(2 * SIZE as i32).to_le_bytes()); // colour and mask
    out.extend_from_slice(&[1, 0, 32, 0]);
    out.extend_from_slice(&[0; 24]); // no compression, sizes and palette unused
    for row in HEART.iter().rev() {
        for c in row.bytes() {
            let bgra: [u8; 4] = if c == b'#' {
                [255, 255, 255, 255]
            } else {
                [0x28, 0x28, 0xc6, 255]
            };
            out.extend_from_slice(&bgra);
        }
    }
    out.extend(std::iter::repeat_n(0u8, mask));
    out
}

pub async fn favicon() -> Response {
    (
        [(CONTENT_TYPE, "image/x-icon"), (CACHE_CONTROL, "public, max-age=86400")],
        ico(),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_icon_is_one_16_pixel_image_of_the_size_it_says() {
        let ico = super::ico();
        assert_eq!(&ico[..6], &[0, 0, 1, 0, 1, 0]);
        let size = u32::from_le_bytes(ico[14..18].try_into().unwrap()) as usize;
        assert_eq!(ico.len(), 22 + size);
    }
}
