"""`{% fragment %}...{% endfragment %}`: the part of a page that FragmentCacheMixin serves from the
cache (mentorwijs/fragments.py). Outside a FragmentCacheMixin view it renders as usual."""

from django import template
from django.utils.safestring import mark_safe

from mentorwijs.fragments import CSRF_PLACEHOLDER, set_fragment

register = template.Library()


class FragmentNode(template.Node):
    def __init__(self, nodelist):
        self.nodelist = nodelist

    def render(self, context):
        html = context.get("fragment_html")
        if html is None:
            with context.push(csrf_token=CSRF_PLACEHOLDER):
                html = self.nodelist.render(context)
            key = getattr(context.get("request"), "fragment_key", None)
            if key:
                set_fragment(key, html)
        return mark_safe(html.replace(CSRF_PLACEHOLDER, str(context.get("csrf_token", ""))))


@register.tag
def fragment(parser, token):
    nodelist = parser.parse(("endfragment",))
    parser.delete_first_token()
    return FragmentNode(nodelist)
