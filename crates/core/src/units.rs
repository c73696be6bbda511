//! Administrative units and agencies, and resolving a plan's unit text to units.
