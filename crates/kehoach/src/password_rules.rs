//! What a password must be, checked wherever one is chosen (the account page; a one-time password
//! is random and needs no check): long enough, not the user name, not a common password. The
//! list of common passwords ships in `data/common-passwords.txt`.

/// Shortest and longest password accepted (characters).
pub const MIN_CHARS: usize = 10;
pub const MAX_CHARS: usize = 200;

const COMMON: &str = include_str!("../../../data/common-passwords.txt");

/// Why a password is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Weakness {
    TooShort,
    TooLong,
    ContainsUsername,
    Common,
}

/// `Ok` when `password` may be `username`'s password.
pub fn check(username: &str, password: &str) -> Result<(), Weakness> {
    let chars = password.chars().count();
    if chars < MIN_CHARS {
        return Err(Weakness::TooShort);
    }
    if chars > MAX_CHARS {
        return Err(Weakness::TooLong);
    }
    let lower = password.to_lowercase();
    let name = username.trim().to_lowercase();
    // A short name ("xa") inside a password is chance; a longer one is the name.
    if lower == name || (name.chars().count() >= 4 && lower.contains(&name)) {
        return Err(Weakness::ContainsUsername);
    }
    // "Matkhau@123" is as common as "matkhau@123"; so is a common one with digits around it.
    let core = lower.trim_matches(|c: char| c.is_ascii_digit() || c == '!' || c == '@' || c == '.');
    let common = COMMON
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .any(|l| l == lower || (core.len() >= 4 && l == core));
    if common {
        return Err(Weakness::Common);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_long_not_the_name_and_not_common() {
        assert_eq!(check("xa", "ngan"), Err(Weakness::TooShort));
        assert_eq!(
            check("nguyenvana", "NguyenVanA2024"),
            Err(Weakness::ContainsUsername)
        );
        assert_eq!(check("xa", "Matkhau@123"), Err(Weakness::Common));
        assert_eq!(check("xa", "1234567890"), Err(Weakness::Common));
        assert_eq!(check("xa", "kehoach2024!!"), Err(Weakness::Common));
        assert_eq!(check("xa", &"a".repeat(201)), Err(Weakness::TooLong));
        assert_eq!(check("xa", "Đồng lúa chín vàng 7"), Ok(()));
    }
}
