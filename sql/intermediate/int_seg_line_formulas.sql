-- The arithmetic of the additive statement lines, per statement family (SEG: the segregation and cleared swaps
-- statements; SECURED: the 30.7 statement), expanded to the leaf lines that carry sources:
-- line = sum over leaves of sign x leaf. A leaf line is its own single term. Lines that are not additive (the
-- target, the greater-of requirement of the secured statement and the lines after them) are computed in
-- int_seg_line_amounts and have no per-currency amounts.
with recursive leaves as (
    select *
    from (
        values
            ('SEG', '1A'), ('SEG', '1B'), ('SEG', '2'), ('SEG', '3A'), ('SEG', '3B'),
            ('SEG', '5_GROSS'), ('SEG', '5_OFFSET'),
            ('SEG', '7A'), ('SEG', '7B'), ('SEG', '7C'), ('SEG', '8A'), ('SEG', '8B'), ('SEG', '8C'),
            ('SEG', '9'), ('SEG', '10A'), ('SEG', '10B'), ('SEG', '11A'), ('SEG', '11B'), ('SEG', '11C'),
            ('SEG', '12'),
            ('SECURED', '1A'), ('SECURED', '1B'), ('SECURED', '2'), ('SECURED', '3A'), ('SECURED', '3B'),
            ('SECURED', '5_GROSS'), ('SECURED', '5_OFFSET'), ('SECURED', '0'),
            ('SECURED', 'F1A'), ('SECURED', 'F1B'), ('SECURED', 'F2A'), ('SECURED', 'F2B'),
            ('SECURED', 'F3A'), ('SECURED', 'F3B'), ('SECURED', 'F3C'), ('SECURED', 'F3D'), ('SECURED', 'F3E'),
            ('SECURED', 'F4A'), ('SECURED', 'F4B'), ('SECURED', 'F4C'), ('SECURED', 'F4D'), ('SECURED', 'F4E'),
            ('SECURED', 'F5A'), ('SECURED', 'F5B'), ('SECURED', 'F5C'), ('SECURED', 'F5D'), ('SECURED', 'F5E'),
            ('SECURED', 'F6'), ('SECURED', 'F7')
    ) as leaves (family, line)
),

formulas as (
    select *
    from (
        values
            ('SEG', '4', '1A', 1), ('SEG', '4', '1B', 1), ('SEG', '4', '2', 1), ('SEG', '4', '3A', 1),
            ('SEG', '4', '3B', 1),
            ('SEG', '5', '5_GROSS', 1), ('SEG', '5', '5_OFFSET', 1),
            ('SEG', '6', '4', 1), ('SEG', '6', '5', 1),
            ('SEG', '13', '7A', 1), ('SEG', '13', '7B', 1), ('SEG', '13', '7C', 1), ('SEG', '13', '8A', 1),
            ('SEG', '13', '8B', 1), ('SEG', '13', '8C', 1), ('SEG', '13', '9', 1), ('SEG', '13', '10A', 1),
            ('SEG', '13', '10B', 1), ('SEG', '13', '11A', 1), ('SEG', '13', '11B', 1), ('SEG', '13', '11C', 1),
            ('SEG', '13', '12', 1),
            ('SEG', '14', '13', 1), ('SEG', '14', '6', -1),
            ('SECURED', '4', '1A', 1), ('SECURED', '4', '1B', 1), ('SECURED', '4', '2', 1),
            ('SECURED', '4', '3A', 1), ('SECURED', '4', '3B', 1),
            ('SECURED', '5', '5_GROSS', 1), ('SECURED', '5', '5_OFFSET', 1),
            ('SECURED', '6', '4', 1), ('SECURED', '6', '5', 1),
            ('SECURED', 'F3', 'F3A', 1), ('SECURED', 'F3', 'F3B', 1), ('SECURED', 'F3', 'F3C', 1),
            ('SECURED', 'F3', 'F3D', 1), ('SECURED', 'F3', 'F3E', 1),
            ('SECURED', 'F4', 'F4A', 1), ('SECURED', 'F4', 'F4B', 1), ('SECURED', 'F4', 'F4C', 1),
            ('SECURED', 'F4', 'F4D', 1), ('SECURED', 'F4', 'F4E', 1),
            ('SECURED', 'F5', 'F5A', 1), ('SECURED', 'F5', 'F5B', 1), ('SECURED', 'F5', 'F5C', 1),
            ('SECURED', 'F5', 'F5D', 1), ('SECURED', 'F5', 'F5E', 1),
            ('SECURED', 'F8', 'F1A', 1), ('SECURED', 'F8', 'F1B', 1), ('SECURED', 'F8', 'F2A', 1),
            ('SECURED', 'F8', 'F2B', 1), ('SECURED', 'F8', 'F3', 1), ('SECURED', 'F8', 'F4', 1),
            ('SECURED', 'F8', 'F5', 1), ('SECURED', 'F8', 'F6', 1), ('SECURED', 'F8', 'F7', 1)
    ) as formulas (family, line, component, sign)
),

expanded as (
    select
        family,
        line,
        component,
        sign
    from formulas
    union all
    select
        expanded.family,
        expanded.line,
        formulas.component,
        expanded.sign * formulas.sign as sign
    from expanded
    inner join formulas
        on formulas.family = expanded.family
        and formulas.line = expanded.component
),

leaf_terms as (
    select
        expanded.family,
        expanded.line,
        expanded.component as leaf,
        expanded.sign
    from expanded
    inner join leaves
        on leaves.family = expanded.family
        and leaves.line = expanded.component
    union all
    select
        family,
        line,
        line as leaf,
        1 as sign
    from leaves
)

select
    family,
    line,
    leaf,
    cast(sum(sign) as integer) as sign
from leaf_terms
group by family, line, leaf
