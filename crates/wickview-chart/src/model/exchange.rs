//! The time zone of a ticker's exchange: a trading day is a calendar day there.

use chrono_tz::Tz;

use super::Category;

/// The time zone whose calendar days are `symbol`'s trading days: Asia/Seoul for Korean
/// stocks, KRX codes and the Korean indices (`^KS11`, `^KQ11`), Europe/London for
/// currency pairs (Yahoo's FX days), the home zone of well-known foreign indices, and
/// America/New_York for US stocks and every other index.
pub fn exchange_time_zone(category: Category, symbol: &str) -> Tz {
    let s = symbol.trim().to_ascii_uppercase();
    let (code, market) = super::split_kr_suffix(&s);
    if category == Category::KoreanStock || super::is_krx_code(code) || market.is_some() {
        return Tz::Asia__Seoul;
    }
    if category == Category::Currency || s.ends_with("=X") {
        return Tz::Europe__London;
    }
    match s.as_str() {
        _ if s.starts_with("^KS") || s.starts_with("^KQ") => Tz::Asia__Seoul,
        "^N225" => Tz::Asia__Tokyo,
        "^HSI" => Tz::Asia__Hong_Kong,
        "000001.SS" | "^SSEC" => Tz::Asia__Shanghai,
        "^TWII" => Tz::Asia__Taipei,
        "^FTSE" => Tz::Europe__London,
        "^GDAXI" | "^STOXX50E" => Tz::Europe__Berlin,
        "^FCHI" => Tz::Europe__Paris,
        _ => Tz::America__New_York,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zones_of_the_spec_tickers() {
        assert_eq!(
            exchange_time_zone(Category::KoreanStock, "005930"),
            Tz::Asia__Seoul
        );
        assert_eq!(
            exchange_time_zone(Category::Index, "^KS11"),
            Tz::Asia__Seoul
        );
        assert_eq!(
            exchange_time_zone(Category::Index, "^KQ11"),
            Tz::Asia__Seoul
        );
        assert_eq!(
            exchange_time_zone(Category::Index, "069500"),
            Tz::Asia__Seoul
        );
        assert_eq!(
            exchange_time_zone(Category::UsStock, "035720.KQ"),
            Tz::Asia__Seoul
        );
        // KRX codes with letters (the 2024 reform) are Seoul's too.
        assert_eq!(
            exchange_time_zone(Category::Index, "0000J0"),
            Tz::Asia__Seoul
        );
        assert_eq!(
            exchange_time_zone(Category::UsStock, "0126z0.ks"),
            Tz::Asia__Seoul
        );
        assert_eq!(
            exchange_time_zone(Category::Index, "^GSPC"),
            Tz::America__New_York
        );
        assert_eq!(
            exchange_time_zone(Category::Index, "^IXIC"),
            Tz::America__New_York
        );
        assert_eq!(
            exchange_time_zone(Category::UsStock, "AAPL"),
            Tz::America__New_York
        );
        assert_eq!(
            exchange_time_zone(Category::Currency, "KRW=X"),
            Tz::Europe__London
        );
        assert_eq!(
            exchange_time_zone(Category::Index, "^N225"),
            Tz::Asia__Tokyo
        );
    }
}
