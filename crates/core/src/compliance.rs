//! The compliance engine: expected vs achieved per assignment and period, deadline states, roll-ups.
