import { registry } from "@web/core/registry";
import { X2ManyField, x2ManyField } from "@web/views/fields/x2many/x2many_field";
import { ListRenderer } from "@web/views/list/list_renderer";

/**
 * Odoo's x2many list pads itself with empty rows up to four; in a dialog the
 * short lists of the conversion wizard (matching customers, duplicated
 * leads) then end with a blank band. This list shows its records only.
 */
export class NoFillerListRenderer extends ListRenderer {
    get getEmptyRowIds() {
        return [];
    }
}

export class X2ManyNoFillerField extends X2ManyField {
    static components = { ...X2ManyField.components, ListRenderer: NoFillerListRenderer };
}

export const x2ManyNoFillerField = {
    ...x2ManyField,
    component: X2ManyNoFillerField,
};

registry.category("fields").add("lead_conversion_x2many_no_filler", x2ManyNoFillerField);
