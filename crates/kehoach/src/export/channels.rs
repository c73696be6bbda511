//! The channels a report totals activities by ("tin, bài", "chương trình phát thanh, truyền
//! hình", "lượt phát lại", "băng rôn, pano", "tờ rơi", "lớp tập huấn", "sự kiện", "văn bản"),
//! read from what an activity says it is: its kind when the unit gave one, else the noun of its
//! task's target ("01 chương trình/tuần"), else its task's title. Pure.

use kehoach_core::text::fold;

/// A channel of communication work, in the order a report lists them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Channel {
    Article,
    Programme,
    Replay,
    Visual,
    Print,
    Training,
    Event,
    Document,
    Other,
}

impl Channel {
    pub const ALL: [Channel; 9] = [
        Channel::Article,
        Channel::Programme,
        Channel::Replay,
        Channel::Visual,
        Channel::Print,
        Channel::Training,
        Channel::Event,
        Channel::Document,
        Channel::Other,
    ];

    /// The channel's name in a report's table ("Tin, bài").
    pub fn vi(self) -> &'static str {
        match self {
            Channel::Article => "Tin, bài trên báo chí, cổng, trang thông tin điện tử",
            Channel::Programme => "Chương trình, chuyên mục phát thanh, truyền hình",
            Channel::Replay => "Lượt phát lại, tiếp sóng",
            Channel::Visual => "Băng rôn, pano, áp phích, khẩu hiệu",
            Channel::Print => "Tờ rơi, tài liệu, ấn phẩm",
            Channel::Training => "Lớp tập huấn, bồi dưỡng",
            Channel::Event => "Sự kiện, hội nghị, cuộc thi",
            Channel::Document => "Kế hoạch, văn bản chỉ đạo, hướng dẫn",
            Channel::Other => "Hoạt động khác",
        }
    }

    /// The counted thing, in a sentence ("tin, bài").
    pub fn noun(self) -> &'static str {
        match self {
            Channel::Article => "tin, bài",
            Channel::Programme => "chương trình, chuyên mục phát thanh, truyền hình",
            Channel::Replay => "lượt phát lại, tiếp sóng",
            Channel::Visual => "băng rôn, pano, áp phích",
            Channel::Print => "tờ rơi, ấn phẩm",
            Channel::Training => "lớp tập huấn, bồi dưỡng",
            Channel::Event => "sự kiện, hội nghị, cuộc thi",
            Channel::Document => "kế hoạch, văn bản",
            Channel::Other => "hoạt động khác",
        }
    }
}

/// The channel a text names (an activity's kind, a target's noun, a task's title); `None` when
/// it names none. The order matters: "phát lại chương trình" is a replay, "hội nghị tập huấn" a
/// training.
pub fn channel_of(text: &str) -> Option<Channel> {
    let f = format!(" {} ", fold(text));
    let has = |words: &[&str]| words.iter().any(|w| f.contains(w));
    if has(&["phat lai", "tiep song", "phat song lai"]) {
        Some(Channel::Replay)
    } else if has(&[" tap huan", " lop ", "boi duong", "dao tao"]) {
        Some(Channel::Training)
    } else if has(&[
        "bang ron",
        "pano",
        "panô",
        "ap phich",
        "khau hieu",
        "banner",
        "truc quan",
        "bang zon",
    ]) {
        Some(Channel::Visual)
    } else if has(&["to roi", "to gap", "an pham", "so tay", "tai lieu"]) {
        Some(Channel::Print)
    } else if has(&[
        "chuong trinh",
        "chuyen muc",
        "phong su",
        "truyen hinh",
        "phat thanh",
        "truyen thanh",
        "podcast",
        "video",
        "clip",
    ]) {
        Some(Channel::Programme)
    } else if has(&[
        " tin ", " tin,", " bai ", " bai,", "bai viet", "ban tin", "tin bai", "bao chi", "bai dang",
    ]) {
        Some(Channel::Article)
    } else if has(&[
        "su kien",
        "hoi nghi",
        "hoi thao",
        "ngay hoi",
        "cuoc thi",
        "hoi thi",
        "dien dan",
        "giai bao chi",
        "toa dam",
        " le ",
    ]) {
        Some(Channel::Event)
    } else if has(&[
        "ke hoach",
        "van ban",
        "quyet dinh",
        "cong van",
        "huong dan",
        "chi thi",
    ]) {
        Some(Channel::Document)
    } else {
        None
    }
}

/// The channel of an activity: its kind, else its task's target noun, else its task's title.
pub fn classify(kind: &str, target_noun: Option<&str>, task_title: &str) -> Channel {
    [Some(kind), target_noun, Some(task_title)]
        .into_iter()
        .flatten()
        .filter(|t| !t.trim().is_empty())
        .find_map(channel_of)
        .unwrap_or(Channel::Other)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_nouns_and_titles_find_their_channel() {
        assert_eq!(classify("", Some("tin, bài"), "x"), Channel::Article);
        assert_eq!(
            classify("Phóng sự", Some("tin, bài"), "x"),
            Channel::Programme
        );
        assert_eq!(classify("", Some("lượt phát lại"), "x"), Channel::Replay);
        assert_eq!(
            classify("", None, "Tuyên truyền trực quan"),
            Channel::Visual
        );
        assert_eq!(
            classify("", None, "Tập huấn chuyển đổi số ngành Công thương"),
            Channel::Training
        );
        assert_eq!(
            classify("", None, "Xây dựng, ban hành kế hoạch tuyên truyền"),
            Channel::Document
        );
        assert_eq!(
            classify("", None, "Tổ chức Ngày hội Sáng tạo trẻ"),
            Channel::Event
        );
        assert_eq!(classify("", None, "Việc gì đó"), Channel::Other);
    }
}
