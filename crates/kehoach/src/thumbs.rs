//! Thumbnails of image evidence (PNG, JPEG, WebP), made on the server so a phone sees the photo
//! without downloading it: at most [`THUMB_SIDE`] pixels a side, JPEG, made once per file and
//! kept by content hash under `<data-dir>/thumbs/<2 hex>/<sha256>.jpg`.
//!
//! Bounded: the image's dimensions are read from its header first and an image over
//! [`MAX_PIXELS`] is refused before anything is decoded; the decoder runs with the same limits
//! and an allocation cap. Blocking (decoding is CPU work): call it in `spawn_blocking`.

use std::io::Write;
use std::path::{Path, PathBuf};

use image::{ImageFormat, ImageReader, Limits};

/// The longest side of a thumbnail.
pub const THUMB_SIDE: u32 = 320;
/// The largest image thumbnailed: 50 megapixels (a phone's photo is 12–50).
pub const MAX_PIXELS: u64 = 50_000_000;
/// The longest side decoded.
const MAX_SIDE: u32 = 20_000;
/// What the decoder may allocate (an RGBA image of [`MAX_PIXELS`], with room).
const MAX_ALLOC: u64 = 256 * 1024 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum ThumbError {
    #[error("not a PNG, JPEG or WebP image")]
    Unsupported,
    #[error("the image is too large to preview ({0} × {1} pixels)")]
    TooLarge(u32, u32),
    #[error("the image cannot be read: {0}")]
    Image(#[from] image::ImageError),
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

/// Whether a file of this content type gets a thumbnail.
pub fn has_thumbnail(content_type: Option<&str>) -> bool {
    matches!(
        content_type,
        Some("image/png" | "image/jpeg" | "image/webp")
    )
}

/// Where the thumbnail of the file with this hash is kept, under the data directory `data_dir`.
/// `None` for anything but 64 lowercase hex.
pub fn cache_path(data_dir: &Path, sha256: &str) -> Option<PathBuf> {
    crate::files::is_sha256_hex(sha256).then(|| {
        data_dir
            .join("thumbs")
            .join(&sha256[..2])
            .join(format!("{sha256}.jpg"))
    })
}

/// The thumbnails under the data directory `data_dir` whose file `is_referenced` does not know
/// (its evidence is gone, so is the file or it soon will be), and temporary files left by a
/// thumbnail write interrupted before `cutoff`: what `kehoach files gc` removes with the files.
/// A thumbnail removed by mistake (a file referenced after the caller read the references) is
/// only made again on its next view.
pub fn unreferenced(
    data_dir: &Path,
    cutoff: std::time::SystemTime,
    is_referenced: impl Fn(&str) -> bool,
) -> std::io::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    let entries = match std::fs::read_dir(data_dir.join("thumbs")) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(out),
        Err(e) => return Err(e),
    };
    for entry in entries {
        let entry = entry?;
        let prefix = entry.file_name().to_string_lossy().into_owned();
        if !entry.file_type()?.is_dir() || prefix.len() != 2 {
            continue;
        }
        for file in std::fs::read_dir(entry.path())? {
            let file = file?;
            if !file.file_type()?.is_file() {
                continue;
            }
            let name = file.file_name().to_string_lossy().into_owned();
            let path = file.path();
            match name.strip_suffix(".jpg") {
                Some(sha) if crate::files::is_sha256_hex(sha) && sha.starts_with(&prefix) => {
                    if !is_referenced(sha) {
                        out.push(path);
                    }
                }
                // Not a thumbnail's name: a temporary file of a write cut short.
                _ => {
                    let old = std::fs::symlink_metadata(&path)
                        .and_then(|m| m.modified())
                        .is_ok_and(|t| t < cutoff);
                    if old {
                        out.push(path);
                    }
                }
            }
        }
    }
    out.sort();
    Ok(out)
}

/// The thumbnail (JPEG bytes) of the image at `source`, from `cache` when it was made before,
/// else made and written there (through a temporary file, so a reader never sees half of one).
pub fn thumbnail(source: &Path, cache: &Path) -> Result<Vec<u8>, ThumbError> {
    if let Ok(bytes) = std::fs::read(cache) {
        return Ok(bytes);
    }
    let bytes = make(source)?;
    if let Some(dir) = cache.parent() {
        std::fs::create_dir_all(dir)?;
        let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
        tmp.write_all(&bytes)?;
        tmp.persist(cache).map_err(|e| e.error)?;
    }
    Ok(bytes)
}

fn reader(source: &Path) -> Result<ImageReader<std::io::BufReader<std::fs::File>>, ThumbError> {
    let reader = ImageReader::open(source)?.with_guessed_format()?;
    match reader.format() {
        Some(ImageFormat::Png | ImageFormat::Jpeg | ImageFormat::WebP) => Ok(reader),
        _ => Err(ThumbError::Unsupported),
    }
}

fn make(source: &Path) -> Result<Vec<u8>, ThumbError> {
    // The header's dimensions first: a decompression bomb is refused before it is decoded.
    let (width, height) = reader(source)?.into_dimensions()?;
    if u64::from(width) * u64::from(height) > MAX_PIXELS || width > MAX_SIDE || height > MAX_SIDE {
        return Err(ThumbError::TooLarge(width, height));
    }
    let mut reader = reader(source)?;
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_ALLOC);
    reader.limits(limits);
    let image = reader.decode()?;
    let small = image.thumbnail(THUMB_SIDE, THUMB_SIDE).to_rgb8();
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 80).encode_image(&small)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(width: u32, height: u32) -> Vec<u8> {
        let image = image::RgbImage::from_pixel(width, height, image::Rgb([200, 30, 30]));
        let mut out = std::io::Cursor::new(Vec::new());
        image.write_to(&mut out, ImageFormat::Png).unwrap();
        out.into_inner()
    }

    #[test]
    fn a_photo_becomes_a_small_jpeg_made_once() {
        let dir = tempfile::tempdir().unwrap();
        let source = dir.path().join("photo");
        std::fs::write(&source, png(1200, 800)).unwrap();
        let cache = dir.path().join("thumbs/ab/x.jpg");
        let bytes = thumbnail(&source, &cache).unwrap();
        let thumb = image::load_from_memory(&bytes).unwrap();
        assert_eq!((thumb.width(), thumb.height()), (320, 213));
        assert!(bytes.starts_with(&[0xFF, 0xD8]), "a JPEG");
        // Made once: the cached file answers even when the source is gone.
        std::fs::remove_file(&source).unwrap();
        assert_eq!(thumbnail(&source, &cache).unwrap(), bytes);
    }

    #[test]
    fn huge_or_foreign_images_are_refused_before_decoding() {
        let dir = tempfile::tempdir().unwrap();
        // A PNG header claiming 30,000 × 30,000 pixels, with no image data behind it.
        let mut bomb = png(1, 1);
        bomb[16..20].copy_from_slice(&30_000u32.to_be_bytes());
        bomb[20..24].copy_from_slice(&30_000u32.to_be_bytes());
        let source = dir.path().join("bomb");
        std::fs::write(&source, &bomb).unwrap();
        let result = thumbnail(&source, &dir.path().join("t1.jpg"));
        assert!(
            matches!(
                result,
                Err(ThumbError::TooLarge(30_000, 30_000)) | Err(ThumbError::Image(_))
            ),
            "{result:?}"
        );
        let text = dir.path().join("doc");
        std::fs::write(&text, b"%PDF-1.4 not an image").unwrap();
        assert!(matches!(
            thumbnail(&text, &dir.path().join("t2.jpg")),
            Err(ThumbError::Unsupported)
        ));
        assert!(!dir.path().join("t1.jpg").exists() && !dir.path().join("t2.jpg").exists());
    }
}
