"""The footer of every screen: the keys of the moment; below 80 columns it is compact and
starts with F1, so the help with every key stays in view on a 60-column terminal."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

COMPACT_BELOW = 80


class RegisterFooter(Footer):
    """A :class:`~textual.widgets.Footer` that keeps F1 first when space is short."""

    DEFAULT_CSS = """
    RegisterFooter FooterLabel { padding: 0 1 0 0; }
    """

    _shown: tuple[Any, ...] | None = None
    """What the keys on display were composed from (``_keys``)."""

    def _keys(self) -> tuple[Any, ...]:
        """Everything the keys are composed from: the bindings shown, their state, the
        footer's width class."""
        if not self._bindings_ready:
            return (self.compact,)
        return (
            self.compact,
            *(
                (
                    binding.key,
                    self.app.get_key_display(binding),
                    binding.description,
                    binding.action,
                    binding.group,
                    enabled,
                    tooltip,
                )
                for (_, binding, enabled, tooltip) in self.screen.active_bindings.values()
                if binding.show
            ),
        )

    async def recompose(self) -> None:
        """Rebuilt only when a key changed: the screen announces its bindings at every
        change of focus, mostly with the same keys, and a rebuild mounts every key anew."""
        if self.is_attached and self._shown is not None and self._keys() == self._shown:
            return
        await super().recompose()

    def compose(self) -> ComposeResult:
        self._shown = self._keys()
        keys = list(super().compose())
        for key in keys:
            if isinstance(key, FooterKey) and not key.has_class("-command-palette"):
                # Born as compact as the footer: a key's own default (compact) and then
                # its binding to the footer's value would restyle it twice when it mounts.
                key.set_reactive(FooterKey.compact, self.compact)
                key.set_class(self.compact, "-compact", update=False)
        if self.compact:
            help_keys = [k for k in keys if isinstance(k, FooterKey) and k.key == "f1"]
            keys = help_keys + [k for k in keys if k not in help_keys]
        yield from keys

    def on_resize(self) -> None:
        compact = self.size.width < COMPACT_BELOW
        if compact != self.compact:
            self.compact = compact
            self.refresh(recompose=True)


__all__ = ["RegisterFooter"]
