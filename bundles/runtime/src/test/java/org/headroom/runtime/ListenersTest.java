package org.headroom.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class ListenersTest {

    @Test
    void aFailingListenerDoesNotKeepTheEventFromTheOthers() throws Exception {
        Listeners<Consumer<String>> listeners = new Listeners<>("test events");
        List<String> seen = new ArrayList<>();
        listeners.add(e -> {
            throw new IllegalStateException("broken listener");
        });
        AutoCloseable second = listeners.add(seen::add);
        listeners.publish("one", Consumer::accept);
        second.close();
        listeners.publish("two", Consumer::accept);
        assertThat(seen).containsExactly("one");
    }
}
