//! Calendar periods (ISO weeks, months, quarters, years) in Asia/Ho_Chi_Minh dates.
