//! zstd streams, frame by frame, with ruzstd (pure Rust, pinned at 0.8.1): a single
//! document (`page.html.zst`, [`crate::input::read_file`]), a record file
//! (`.jsonl.zst`, `.warc.zst`: [`crate::records`] reads it frame by frame, so that a
//! damaged frame can be passed over as a damaged gzip member is) and HTTP
//! `Content-Encoding: zstd` in a WARC response.
//!
//! * A zstd stream is one or more frames, read one after another as `zstd -d` reads
//!   them (ruzstd's own reader reads one); skippable frames are passed over. Bytes
//!   after a frame that start no frame are an error, as for `zstd -d`.
//! * Dictionaries are not supported: ruzstd 0.8.1 can decode with one, but its
//!   `Dictionary` type is not public, so none can be loaded (0.8.2 would need Rust
//!   1.87). A frame that names a dictionary (as the frames of a `.warc.zst` written
//!   with one do, its dictionary in a skippable frame at the start) is an
//!   `Unsupported` error that says so and how to get round it; a record file stops
//!   there instead of failing every record one by one.
//! * Memory: ruzstd checks a frame's window size (at most 100 MiB) when a decoder is
//!   reset, but not when it is first set up; so every decoder here is first set up on
//!   an empty frame, and every real frame is checked. What a frame holds in memory
//!   while it is read is its window and a block (128 KiB), whatever its size or what
//!   its header claims; frames written with a larger window (`zstd --long=27` or more,
//!   `--ultra -22`) are refused.
//! * A frame's content checksum, when it has one (`zstd` writes one by default), is
//!   verified at its end, as a gzip member's CRC is: damage that leaves the format
//!   whole (a flipped bit in a literal) is an `InvalidData` error of that frame, not
//!   wrong text. It needs ruzstd's `hash` feature (the `twox-hash` crate: XXH64, some
//!   GB/s, nothing beside decoding).

use std::io::{self, Read};

use ruzstd::decoding::errors::FrameDecoderError;
use ruzstd::decoding::{BlockDecodingStrategy, FrameDecoder};

/// The first four bytes of every zstd frame.
pub(crate) const MAGIC: [u8; 4] = [0x28, 0xb5, 0x2f, 0xfd];
/// The skippable frame that holds a `.warc.zst` file's dictionary.
const DICTIONARY_FRAME: u32 = 0x184d_2a5d;
/// A whole frame of no content: a decoder is set up on it first (see the module doc).
const EMPTY_FRAME: [u8; 9] = [0x28, 0xb5, 0x2f, 0xfd, 0x20, 0x00, 0x01, 0x00, 0x00];

/// Whether `bytes` start a zstd stream: a frame, or a skippable frame (a `.warc.zst`
/// starts with its dictionary's).
pub(crate) fn starts_stream(bytes: &[u8]) -> bool {
    bytes.starts_with(&MAGIC) || skippable(bytes).is_some()
}

/// The magic number of a skippable frame that `bytes` start with.
fn skippable(bytes: &[u8]) -> Option<u32> {
    let magic = u32::from_le_bytes(bytes.get(..4)?.try_into().ok()?);
    (magic & 0xffff_fff0 == 0x184d_2a50).then_some(magic)
}

/// The frames of a zstd stream read from `src` (which should be buffered: ruzstd reads
/// a few bytes at a time). As a [`Read`] it gives the decoded bytes of all frames;
/// [`Frames::start_frame`] and [`Frames::read_frame`] go one frame at a time.
pub(crate) struct Frames<R> {
    src: R,
    decoder: FrameDecoder,
    /// Inside a frame: [`Frames::read_frame`] gives its bytes.
    in_frame: bool,
    /// A frame was started.
    started: bool,
    /// A dictionary frame came before the first frame (for the error of a frame that
    /// needs a dictionary).
    dictionary_frame: bool,
}

impl<R: Read> Frames<R> {
    pub(crate) fn new(src: R) -> Frames<R> {
        let mut decoder = FrameDecoder::new();
        // Sets up the decoder, so that every later frame header goes through ruzstd's
        // reset, which checks the window size. It cannot fail; if it did, only that
        // check would be missing.
        let _ = decoder.init(&EMPTY_FRAME[..]);
        Frames {
            src,
            decoder,
            in_frame: false,
            started: false,
            dictionary_frame: false,
        }
    }

    pub(crate) fn get_ref(&self) -> &R {
        &self.src
    }

    pub(crate) fn get_mut(&mut self) -> &mut R {
        &mut self.src
    }

    /// Gives up the frame being read (it was damaged, and reading goes on elsewhere).
    pub(crate) fn abandon(&mut self) {
        self.in_frame = false;
    }

    /// Moves to the next frame, past skippable frames: false at the end of the input.
    /// Bytes that start no frame are an `InvalidData` error, a stream that stops inside
    /// a frame header an `UnexpectedEof` one.
    pub(crate) fn start_frame(&mut self) -> io::Result<bool> {
        self.in_frame = false;
        loop {
            let mut magic = [0u8; 4];
            let got = crate::input::read_fully(&mut self.src, &mut magic)?;
            if got == 0 {
                return Ok(false);
            }
            if magic == MAGIC {
                // ruzstd reads the frame header itself, from its magic on.
                self.decoder
                    .reset((&magic[..]).chain(&mut self.src))
                    .map_err(|e| self.error(e))?;
                self.in_frame = true;
                self.started = true;
                return Ok(true);
            }
            let Some(number) = skippable(&magic[..got]) else {
                if got < magic.len() && MAGIC.starts_with(&magic[..got]) {
                    return Err(cut_off("a frame's magic number"));
                }
                return Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    if self.started {
                        "data after a zstd frame is not zstd"
                    } else {
                        "not zstd data"
                    },
                ));
            };
            let mut length = [0u8; 4];
            if crate::input::read_fully(&mut self.src, &mut length)? < length.len() {
                return Err(cut_off("a skippable frame"));
            }
            let length = u64::from(u32::from_le_bytes(length));
            if number == DICTIONARY_FRAME && !self.started {
                self.dictionary_frame = true;
            }
            let skipped = io::copy(&mut (&mut self.src).take(length), &mut io::sink())?;
            if skipped < length {
                return Err(cut_off("a skippable frame"));
            }
        }
    }

    /// Decoded bytes of the current frame: 0 at its end (and outside a frame).
    pub(crate) fn read_frame(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if !self.in_frame || buf.is_empty() {
            return Ok(0);
        }
        // As ruzstd's StreamingDecoder reads: blocks are decoded until enough can be
        // collected (the last window's bytes are held back until the frame ends).
        while self.decoder.can_collect() < buf.len() && !self.decoder.is_finished() {
            let wanted = buf.len() - self.decoder.can_collect();
            if let Err(e) = self
                .decoder
                .decode_blocks(&mut self.src, BlockDecodingStrategy::UptoBytes(wanted))
            {
                return Err(self.error(e));
            }
        }
        let got = self.decoder.read(buf)?;
        if got == 0 {
            self.in_frame = false;
            self.check_sum()?;
        }
        Ok(got)
    }

    /// At a frame's end, with all its bytes given out: the checksum the frame carries
    /// against the one of its bytes (only the low 32 bits of XXH64 are stored).
    fn check_sum(&self) -> io::Result<()> {
        match (
            self.decoder.get_checksum_from_data(),
            self.decoder.get_calculated_checksum(),
        ) {
            (Some(stored), Some(computed)) if stored != computed => Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!(
                    "zstd frame checksum mismatch (stored {stored:08x}, data {computed:08x}): \
                     the data is damaged"
                ),
            )),
            _ => Ok(()),
        }
    }

    /// An error of ruzstd's as an I/O error: the kind of an I/O error under it (a
    /// stream cut off is `UnexpectedEof`), else `InvalidData`; a frame that needs a
    /// dictionary is `Unsupported`.
    fn error(&self, e: FrameDecoderError) -> io::Error {
        if let FrameDecoderError::DictNotProvided { dict_id } = e {
            let held = if self.dictionary_frame {
                " (the dictionary frame at the start of the input holds it, as a .warc.zst \
                 written with a dictionary does)"
            } else {
                ""
            };
            return io::Error::new(
                io::ErrorKind::Unsupported,
                format!(
                    "zstd data compressed with a dictionary (id {dict_id}){held} cannot be \
                     read: dehusk's zstd decoder takes no dictionary; decompress it first \
                     (`zstd -d -D DICTIONARY`) and give dehusk the plain file"
                ),
            );
        }
        let mut kind = io::ErrorKind::InvalidData;
        let mut source = std::error::Error::source(&e);
        while let Some(cause) = source {
            if let Some(io) = cause.downcast_ref::<io::Error>() {
                kind = io.kind();
                break;
            }
            source = cause.source();
        }
        io::Error::new(kind, e.to_string())
    }
}

impl<R: Read> Read for Frames<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        loop {
            let got = self.read_frame(buf)?;
            if got > 0 {
                return Ok(got);
            }
            if !self.start_frame()? {
                return Ok(0);
            }
        }
    }
}

fn cut_off(what: &str) -> io::Error {
    io::Error::new(
        io::ErrorKind::UnexpectedEof,
        format!("the zstd data stops inside {what}"),
    )
}

/// zstd data for tests: made with ruzstd's encoder, or by hand.
#[cfg(test)]
pub(crate) mod testing {
    /// `data` as one zstd frame (ruzstd's encoder, about `zstd -1`).
    pub(crate) fn compress(data: &[u8]) -> Vec<u8> {
        ruzstd::encoding::compress_to_vec(data, ruzstd::encoding::CompressionLevel::Fastest)
    }

    /// A zstd frame (128 KiB window, no checksum) of these blocks: each a 3-byte header
    /// (last-block bit, type, size) and its content; a raw block (type 0) holds its
    /// bytes, an RLE block (type 1) one byte repeated `size` times.
    pub(crate) fn frame(blocks: &[(u32, u32, &[u8])]) -> Vec<u8> {
        let mut out = b"\x28\xb5\x2f\xfd\x00\x38".to_vec();
        for (i, (kind, size, content)) in blocks.iter().enumerate() {
            let last = u32::from(i + 1 == blocks.len());
            out.extend_from_slice(&(size << 3 | kind << 1 | last).to_le_bytes()[..3]);
            out.extend_from_slice(content);
        }
        out
    }

    /// A bomb: 1 GiB of `a` in 32 KiB (8,192 RLE blocks of 128 KiB).
    pub(crate) fn bomb() -> Vec<u8> {
        frame(&vec![(1, 128 << 10, &b"a"[..]); 8192])
    }

    /// A skippable frame holding `content`.
    pub(crate) fn skippable(content: &[u8]) -> Vec<u8> {
        let mut out = b"\x5e\x2a\x4d\x18".to_vec();
        out.extend_from_slice(&(content.len() as u32).to_le_bytes());
        out.extend_from_slice(content);
        out
    }

    /// A frame of one raw block of `content` that names dictionary `id` (1 byte),
    /// after the skippable frame a `.warc.zst` holds its dictionary in.
    pub(crate) fn with_dictionary(id: u8, content: &[u8]) -> Vec<u8> {
        let mut out = b"\x5d\x2a\x4d\x18\x04\x00\x00\x00\x37\xa4\x30\xec".to_vec();
        out.extend_from_slice(&[0x28, 0xb5, 0x2f, 0xfd, 0x01, 0x38, id]);
        out.extend_from_slice(&((content.len() as u32) << 3 | 1).to_le_bytes()[..3]);
        out.extend_from_slice(content);
        out
    }
}
