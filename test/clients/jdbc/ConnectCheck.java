import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Properties;

/**
 * Logs in with pgjdbc and prints "OK <current_user>" or "ERR <SQLSTATE>
 * <message>": used by test/auth_test.go and test/tls_test.go.
 * Usage: java -cp postgresql.jar ConnectCheck.java URL USER [PASSWORD]
 */
public class ConnectCheck {
    public static void main(String[] args) {
        Properties props = new Properties();
        props.setProperty("user", args[1]);
        if (args.length > 2) {
            props.setProperty("password", args[2]);
        }
        props.setProperty("connectTimeout", "10");
        try (Connection c = DriverManager.getConnection(args[0], props);
             ResultSet rs = c.createStatement().executeQuery("select current_user")) {
            rs.next();
            System.out.println("OK " + rs.getString(1));
        } catch (SQLException e) {
            System.out.println("ERR " + e.getSQLState() + " " + e.getMessage().replace('\n', ' '));
        }
    }
}
